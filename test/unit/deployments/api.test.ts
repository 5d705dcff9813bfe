import { CreateTagsCommand, DescribeInstancesCommand, DescribeRegionsCommand, EC2Client, type Instance } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../../functions/api-list.js';
import { getDeployments } from '../../../lib/deployments/api.js';
import { describeDeployment } from '../../../lib/api/deployments.js';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { listDeployments } from '../../../lib/deployments/list.js';
import { tagVerified } from '../../../lib/deployments/verified-tag.js';
import { DeploymentInstanceNotFoundError, LocalCloudNotRunningError } from '../../../lib/errors.js';
import { runningDeploymentInstance } from '../../../lib/deployments/instance.js';
import { useLocalCloud } from '../../../lib/local/cloud-state.js';

const ec2Mock = mockClient(EC2Client);
const NOW = new Date('2026-12-02T12:00:00Z');
const tagged = (id: string, launched: string, price?: string): Instance => ({
  InstanceId: id,
  InstanceType: 'g5.xlarge',
  State: { Name: 'running' as const },
  LaunchTime: new Date(launched),
  Tags: [{ Key: 'gpu-deploy:deployment-id', Value: `dep-${id}` }, ...(price ? [{ Key: 'gpu-deploy:hourly-price', Value: price }] : [])],
});

beforeEach(() => ec2Mock.reset());

describe('listDeployments', () => {
  test('by the managed-by tag, every page, newest first, with totals', async () => {
    // Prepare
    ec2Mock
      .on(DescribeInstancesCommand)
      .resolvesOnce({ Reservations: [{ Instances: [tagged('i-old', '2026-12-01T12:00:00Z', '1.0')] }], NextToken: 'p2' })
      .resolves({ Reservations: [{ Instances: [tagged('i-new', '2026-12-02T11:00:00Z', '0.5')] }] });
    // Act
    const list = await listDeployments(['us-east-1'], () => new EC2Client({ region: 'us-east-1' }), NOW);
    // Assess
    expect(list.deployments.map((d) => d.instanceId)).toEqual(['i-new', 'i-old']);
    expect(list.totals).toEqual({ running: 2, hourly: 1.5, soFar: 24.5, unknownPrice: 0 });
    const filters = ec2Mock.commandCalls(DescribeInstancesCommand)[0]?.args[0].input.Filters;
    expect(filters).toContainEqual({ Name: 'tag:gpu-deploy:managed-by', Values: ['gpu-deploy'] });
    expect(ec2Mock.commandCalls(DescribeInstancesCommand)[1]?.args[0].input.NextToken).toBe('p2');
  });
});

describe('GET /deployments', () => {
  test('the region from the query, else the stack region; 200 with the list', async () => {
    // Prepare
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [tagged('i-1', '2026-12-02T10:00:00Z', '0.389')] }] });
    const regions: string[] = [];
    // Act
    const response = await getDeployments({ queryStringParameters: { region: 'eu-west-1' } }, (r) => (regions.push(r), new EC2Client({ region: r })), 'us-east-1', NOW);
    // Assess
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ regions: ['eu-west-1'], totals: { running: 1, hourly: 0.39, soFar: 0.78 } });
    expect(regions).toEqual(['eu-west-1']);
  });

  test('?allRegions=true lists every enabled region; a bad region is a 400 that says what to send', async () => {
    // Prepare
    ec2Mock.on(DescribeRegionsCommand).resolves({ Regions: [{ RegionName: 'us-west-2' }, { RegionName: 'eu-west-1' }] });
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    // Act
    const all = await getDeployments({ queryStringParameters: { allRegions: 'true' } }, (r) => new EC2Client({ region: r }), 'us-east-1', NOW);
    const bad = await getDeployments({ queryStringParameters: { region: '../etc' } }, (r) => new EC2Client({ region: r }), 'us-east-1', NOW);
    // Assess
    expect(JSON.parse(all.body).regions).toEqual(['eu-west-1', 'us-west-2']);
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ error: 'RequestInvalidError', hint: expect.stringContaining('?region=') });
  });

  test('the Lambda handler answers from its own region', async () => {
    // Prepare
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    // Act
    const response = await handler({ httpMethod: 'GET', resource: '/deployments', path: '/deployments', queryStringParameters: null }, {} as never);
    // Assess
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body).deployments).toEqual([]);
  });
});

describe('tagVerified', () => {
  test('writes the verified-at tag; a failure is logged and reported, never thrown', async () => {
    // Prepare
    ec2Mock.on(CreateTagsCommand).resolvesOnce({}).rejects(Object.assign(new Error('no'), { name: 'UnauthorizedOperation' }));
    const log: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
    const ec2 = new EC2Client({ region: 'us-east-1' });
    // Act + Assess
    await expect(tagVerified(ec2, 'i-1', NOW)).resolves.toBe(true);
    expect(ec2Mock.commandCalls(CreateTagsCommand)[0]?.args[0].input).toEqual({ Resources: ['i-1'], Tags: [{ Key: 'gpu-deploy:verified-at', Value: '2026-12-02T12:00:00Z' }] });
    await expect(tagVerified(ec2, 'i-1', NOW, (level, message, fields) => log.push({ level, message, ...(fields ? { fields } : {}) }))).resolves.toBe(false);
    expect(log).toEqual([{ level: 'warn', message: 'could not tag i-1 with gpu-deploy:verified-at', fields: { error: 'UnauthorizedOperation' } }]);
  });
});

describe('--local without a running local cloud', () => {
  test('LocalCloudNotRunningError saying how to start one', () => {
    // Prepare
    process.env.GPU_DEPLOY_LOCAL_CLOUD_FILE = '/nonexistent/gpu-deploy/local-cloud.json';
    try {
      // Act + Assess
      expect(() => useLocalCloud()).toThrow(LocalCloudNotRunningError);
      expect(() => useLocalCloud()).toThrow(expect.objectContaining({ hint: expect.stringContaining('gpu-deploy local-cloud') }));
    } finally {
      delete process.env.GPU_DEPLOY_LOCAL_CLOUD_FILE;
    }
  });
});

describe('runningDeploymentInstance', () => {
  test('the running one by its tag; only stopped ones, or none: DeploymentInstanceNotFoundError saying which', async () => {
    // Prepare
    const ec2 = new EC2Client({ region: 'us-east-1' });
    ec2Mock
      .on(DescribeInstancesCommand)
      .resolvesOnce({ Reservations: [{ Instances: [{ InstanceId: 'i-1', State: { Name: 'running' } }] }] })
      .resolvesOnce({ Reservations: [{ Instances: [{ InstanceId: 'i-2', State: { Name: 'stopped' } }] }] })
      .resolves({ Reservations: [] });
    // Act + Assess
    await expect(runningDeploymentInstance(ec2, 'dep-1', 'us-east-1')).resolves.toMatchObject({ InstanceId: 'i-1' });
    await expect(runningDeploymentInstance(ec2, 'dep-1', 'us-east-1')).rejects.toThrow('Deployment dep-1 has no running instance in us-east-1 (i-2 stopped)');
    const none = runningDeploymentInstance(ec2, 'dep-1', 'eu-west-1');
    await expect(none).rejects.toBeInstanceOf(DeploymentInstanceNotFoundError);
    await expect(runningDeploymentInstance(ec2, 'dep-1', 'eu-west-1')).rejects.toMatchObject({ hint: expect.stringContaining('--all-regions') });
    expect(ec2Mock.commandCalls(DescribeInstancesCommand)[0]?.args[0].input.Filters).toContainEqual({ Name: 'tag:gpu-deploy:deployment-id', Values: ['dep-1'] });
  });
});

describe('the access block of a finished deployment', () => {
  test('status and GET /deployments/{id} carry the exact commands for its id and region once it SUCCEEDED', async () => {
    // Prepare
    const sfnMock = mockClient(SFNClient);
    const arn = 'arn:aws:states:eu-west-1:123456789012:stateMachine:gpu-deploy-dev-deploy';
    sfnMock
      .on(DescribeExecutionCommand)
      .resolvesOnce({ status: 'SUCCEEDED', output: JSON.stringify({ region: 'eu-west-1', instanceId: 'i-1' }), executionArn: 'x', stateMachineArn: arn, startDate: NOW })
      .resolves({ status: 'RUNNING', executionArn: 'x', stateMachineArn: arn, startDate: NOW });
    // Act
    const done = await describeDeployment(new SFNClient({ region: 'eu-west-1' }), arn, 'cli-1');
    const running = await describeDeployment(new SFNClient({ region: 'eu-west-1' }), arn, 'cli-1');
    // Assess
    expect(done.access).toMatchObject({ connect: 'gpu-deploy connect cli-1 --region eu-west-1', tunnel: 'gpu-deploy tunnel cli-1 --region eu-west-1', teardown: 'gpu-deploy teardown cli-1 --stack-region eu-west-1', status: 'gpu-deploy status cli-1 --stack-region eu-west-1' });
    expect(running.access).toBeUndefined();
    sfnMock.restore();
  });
});
