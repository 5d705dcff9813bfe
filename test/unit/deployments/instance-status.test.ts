import { DescribeInstancesCommand, EC2Client, type Instance } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { statusFromInstance } from '../../../lib/deployments/instance-status.js';
import { LOCAL_STATES_ARN_PREFIX } from '../../../lib/deployments/access.js';
import { instanceStatusLines } from '../../../lib/cli/status.js';

const ec2Mock = mockClient(EC2Client);
const NOW = new Date('2026-12-04T12:00:00Z');
const tags = (extra: Record<string, string>) => Object.entries({ 'gpu-deploy:deployment-id': 'run-1', 'gpu-deploy:execution-arn': `${LOCAL_STATES_ARN_PREFIX}execution:gpu-deploy-deploy:run-1`, ...extra }).map(([Key, Value]) => ({ Key, Value }));
const instance = (id: string, state: string, launched: string, extra: Record<string, string> = {}): Instance => ({
  InstanceId: id,
  State: { Name: state as never },
  InstanceType: 'g5.xlarge',
  LaunchTime: new Date(launched),
  Placement: { AvailabilityZone: 'us-east-1b' },
  InstanceLifecycle: 'spot',
  Tags: tags(extra),
});

beforeEach(() => ec2Mock.reset());

test('a verified running instance is SUCCEEDED, read from its tags (price, lifetime), with --aws access commands', async () => {
  // Prepare
  const verified = { 'gpu-deploy:verified-at': '2026-12-04T10:00:00Z', 'gpu-deploy:hourly-price': '0.3890', 'gpu-deploy:price-source': 'describe-spot-price-history', 'gpu-deploy:expires-at': '2026-12-04T14:00:00Z' };
  ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [instance('i-old', 'terminated', '2026-12-04T09:00:00Z'), instance('i-new', 'running', '2026-12-04T10:00:00Z', verified)] }] });
  // Act
  const view = await statusFromInstance(new EC2Client({ region: 'us-east-1' }), 'run-1', 'us-east-1', 'aws', NOW);
  // Assess
  expect(view).toMatchObject({ status: 'SUCCEEDED', instances: [{ instanceId: 'i-old', state: 'terminated' }, { instanceId: 'i-new', state: 'running' }] });
  expect(view.instance).toMatchObject({ instanceId: 'i-new', hourlyPrice: 0.389, costSoFar: 0.78, expiresAt: '2026-12-04T14:00:00Z' });
  expect(view.instance.access.teardown).toBe('gpu-deploy teardown run-1 --region us-east-1 --aws');
  expect(view.source).toContain('instance i-new and its gpu-deploy:* tags');
  expect(ec2Mock.commandCalls(DescribeInstancesCommand)[0]!.args[0].input).toEqual({ Filters: [{ Name: 'tag:gpu-deploy:deployment-id', Values: ['run-1'] }] });
  expect(instanceStatusLines(view)).toBe(
    [
      'Deployment run-1: SUCCEEDED (running g5.xlarge in us-east-1b, spot; GPU verified at 2026-12-04T10:00:00Z)',
      `  read from ${view.source}`,
      'Lifetime: expires at 2026-12-04T14:00:00Z',
      'Price: $0.3890/h (describe-spot-price-history), $0.78 so far',
      '',
    ].join('\n'),
  );
});

test('not verified yet is RUNNING; only ended instances is TORN_DOWN; none is a named error', async () => {
  ec2Mock
    .on(DescribeInstancesCommand)
    .resolvesOnce({ Reservations: [{ Instances: [instance('i-1', 'pending', '2026-12-04T11:59:00Z')] }] })
    .resolvesOnce({ Reservations: [{ Instances: [instance('i-1', 'terminated', '2026-12-04T11:00:00Z')] }] })
    .resolves({ Reservations: [] });
  const ec2 = new EC2Client({ region: 'us-east-1' });
  expect((await statusFromInstance(ec2, 'run-1', 'us-east-1', 'local', NOW)).status).toBe('RUNNING');
  const ended = await statusFromInstance(ec2, 'run-1', 'us-east-1', 'local', NOW);
  expect(ended.status).toBe('TORN_DOWN');
  expect(ended.instance.access.status).toBe('gpu-deploy status run-1 --region us-east-1 --local');
  await expect(statusFromInstance(ec2, 'run-2', 'eu-west-1', 'aws', NOW)).rejects.toMatchObject({ name: 'DeploymentInstanceNotFoundError', message: 'No instance of deployment run-2 in eu-west-1' });
  await expect(statusFromInstance(ec2, 'bad*id', 'eu-west-1', 'aws', NOW)).rejects.toMatchObject({ name: 'DeploymentIdInvalidError' });
});
