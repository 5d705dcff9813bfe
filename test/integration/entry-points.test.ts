/**
 * Every entry point's real handler against the local cloud over HTTP: the real deploy and teardown definitions
 * are created in moto's Step Functions, executions are started through the API, EventBridge and spot-interruption
 * handlers and then described in moto; published events are routed by a real EventBridge rule (in moto) to a log
 * group and read back. (moto records executions; it does not run them: the workflow itself is tested elsewhere.)
 */
import { CreateTagsCommand, DescribeImagesCommand, DescribeInstancesCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateStateMachineCommand, DescribeExecutionCommand, ListExecutionsCommand, SFNClient, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { handler as apiStart } from '../../functions/api-start.js';
import { handler as apiStatus } from '../../functions/api-status.js';
import { handler as apiTeardown } from '../../functions/api-teardown.js';
import { handler as eventStart } from '../../functions/event-start.js';
import { handler as notify } from '../../functions/notify.js';
import { handler as spotInterruption } from '../../functions/spot-interruption.js';
import type { ApiEvent, ApiResponse } from '../../lib/api/http.js';
import { DEPLOYMENT_TAG, EXECUTION_ARN_TAG, INTERRUPTED_AT_TAG, MANAGED_BY_TAG } from '../../lib/launch/tags.js';
import { startLocalCloud, type LocalCloud } from '../../lib/local/cloud.js';
import { DEPLOY_DEFINITION_PATH, TEARDOWN_DEFINITION_PATH, readDefinition, substituteArns } from '../../lib/workflow/definition.js';

const REGION = 'us-east-1';
const LOG_GROUP = 'gpu-deploy-events';
let cloud: LocalCloud;
let sfn: SFNClient;
let deployArn: string;
let teardownArn: string;
const context = {} as never;
const body = (response: ApiResponse): Record<string, any> => JSON.parse(response.body) as Record<string, any>;

/** CloudWatch Logs through moto's JSON protocol (the project has no Logs SDK client; moto routes by the credential scope). */
async function logs(target: string, payload: Record<string, unknown>): Promise<Record<string, any>> {
  const response = await fetch(cloud.moto.endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `Logs_20140328.${target}`,
      authorization: `AWS4-HMAC-SHA256 Credential=local/20250101/${REGION}/logs/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify(payload),
  });
  const text = await response.text();
  expect({ target, status: response.status }).toEqual({ target, status: 200 });
  return (text ? JSON.parse(text) : {}) as Record<string, any>;
}

/** The events of one detail-type that reached the log group through the rule. */
async function publishedEvents(detailType: string): Promise<Array<{ source: string; 'detail-type': string; detail: Record<string, any> }>> {
  const out = await logs('FilterLogEvents', { logGroupName: LOG_GROUP });
  return (out.events as Array<{ message: string }>).map((e) => JSON.parse(e.message)).filter((e) => e['detail-type'] === detailType);
}

async function execution(arn: string) {
  return sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
}

const saved = { ...process.env };

beforeAll(async () => {
  cloud = await startLocalCloud({ region: REGION });
  sfn = new SFNClient({ region: REGION });
  const roleArn = 'arn:aws:iam::123456789012:role/gpu-deploy-local-states';
  const create = async (name: string, path: string) =>
    (await sfn.send(new CreateStateMachineCommand({ name, roleArn, definition: JSON.stringify(substituteArns(readDefinition(path))) }))).stateMachineArn as string;
  deployArn = await create('gpu-deploy-it-deploy', DEPLOY_DEFINITION_PATH);
  teardownArn = await create('gpu-deploy-it-teardown', TEARDOWN_DEFINITION_PATH);
  process.env.DEPLOY_STATE_MACHINE_ARN = deployArn;
  process.env.TEARDOWN_STATE_MACHINE_ARN = teardownArn;
  // A subscriber as a user would add one: every gpu-deploy event to a log group.
  await logs('CreateLogGroup', { logGroupName: LOG_GROUP });
  const events = new EventBridgeClient({ region: REGION });
  await events.send(new PutRuleCommand({ Name: 'gpu-deploy-all', EventPattern: JSON.stringify({ source: ['gpu-deploy'] }) }));
  await events.send(new PutTargetsCommand({ Rule: 'gpu-deploy-all', Targets: [{ Id: 'logs', Arn: `arn:aws:logs:${REGION}:123456789012:log-group:${LOG_GROUP}` }] }));
}, 180_000);

afterAll(async () => {
  await cloud?.stop();
  process.env = saved;
});

describe('entry points against the local cloud', () => {
  let apiDeploymentId: string;

  test('API: POST /deployments starts an execution of the real deploy definition; GET reports it', async () => {
    // Act
    const response = await apiStart({ httpMethod: 'POST', resource: '/deployments', path: '/deployments', body: JSON.stringify({ instanceType: 'g5.xlarge', onInterruption: 'relaunch' }) }, context);

    // Assess
    expect(response.statusCode).toBe(202);
    const started = body(response);
    apiDeploymentId = started.deploymentId as string;
    const described = await execution(started.executionArn as string);
    expect(described.status).toBe('RUNNING');
    expect(described.stateMachineArn).toBe(deployArn);
    expect(JSON.parse(described.input!)).toMatchObject({ instanceType: 'g5.xlarge', region: REGION, onInterruption: 'relaunch', market: 'auto' });

    const status = await apiStatus({ httpMethod: 'GET', resource: '/deployments/{id}', path: `/deployments/${apiDeploymentId}`, pathParameters: { id: apiDeploymentId } }, context);
    expect(status.statusCode).toBe(200);
    expect(body(status)).toMatchObject({ deploymentId: apiDeploymentId, status: 'RUNNING', request: { instanceType: 'g5.xlarge' } });
  });

  test('API: a bad body is a 400 and starts nothing; an unknown id is a 404', async () => {
    // Prepare
    const before = (await sfn.send(new ListExecutionsCommand({ stateMachineArn: deployArn }))).executions?.length;

    // Act
    const bad = await apiStart({ httpMethod: 'POST', resource: '/deployments', path: '/deployments', body: JSON.stringify({ instanceType: 'g5.xlarge', architecture: 'sparc' }) }, context);
    const unknown = await apiStatus({ httpMethod: 'GET', resource: '/deployments/{id}', path: '/deployments/api-does-not-exist', pathParameters: { id: 'api-does-not-exist' } }, context);

    // Assess
    expect(bad.statusCode).toBe(400);
    expect(body(bad).problems).toEqual([expect.stringContaining('architecture must be one of')]);
    expect((await sfn.send(new ListExecutionsCommand({ stateMachineArn: deployArn }))).executions?.length).toBe(before);
    expect(unknown.statusCode).toBe(404);
  });

  test('EventBridge: a GPU Deployment Requested event starts an execution named after the event; a repeat starts nothing new', async () => {
    // Prepare
    const event = { id: '0f2a9c1e-1111-4222-8333-944455556666', source: 'gpu-deploy.requests', 'detail-type': 'GPU Deployment Requested', region: REGION, detail: { instanceType: 'g6.xlarge', amiType: 'pytorch' } };

    // Act
    const first = await eventStart(event, context);
    const again = await eventStart(event, context);

    // Assess
    expect(first).toMatchObject({ action: 'started', deploymentId: `evt-${event.id}` });
    expect(again).toMatchObject({ action: 'started', deploymentId: `evt-${event.id}`, executionArn: first.executionArn });
    const described = await execution(first.executionArn as string);
    expect(described.status).toBe('RUNNING');
    expect(JSON.parse(described.input!)).toMatchObject({ instanceType: 'g6.xlarge', amiType: 'pytorch', region: REGION });
  });

  test('EventBridge: a bad request starts nothing and is answered with a GPU Deployment Failed event', async () => {
    // Act
    const outcome = await eventStart({ id: 'bad-1', source: 'gpu-deploy.requests', 'detail-type': 'GPU Deployment Requested', region: REGION, detail: { market: 'free' } }, context);

    // Assess
    expect(outcome.action).toBe('rejected');
    await expect(execution(`${deployArn.replace(':stateMachine:', ':execution:')}:evt-bad-1`)).rejects.toMatchObject({ name: 'ExecutionDoesNotExist' });
    const failed = await publishedEvents('GPU Deployment Failed');
    expect(failed.find((e) => e.detail.deploymentId === 'evt-bad-1')).toMatchObject({ source: 'gpu-deploy', detail: { terminalState: 'RequestRejected', error: 'RequestInvalidError' } });
  });

  test('notify: the workflow\'s final event reaches a subscriber through a rule', async () => {
    // Act
    await notify(
      {
        status: 'SUCCEEDED',
        terminalState: 'Succeeded',
        execution: { id: `${deployArn.replace(':stateMachine:', ':execution:')}:it-notify`, name: 'it-notify' },
        document: { status: 'SUCCEEDED', deploymentId: 'it-notify', region: REGION, instanceId: 'i-0abc', instanceType: 'g5.xlarge', estimate: { total: { hourly: 0.4 } } },
      },
      context,
    );

    // Assess
    const succeeded = await publishedEvents('GPU Deployment Succeeded');
    expect(succeeded.find((e) => e.detail.deploymentId === 'it-notify')).toMatchObject({ detail: { status: 'SUCCEEDED', instanceId: 'i-0abc', estimate: { total: { hourly: 0.4 } }, error: null } });
  });

  test('spot interruption: the instance is marked, the event published and the request relaunched from the original execution', async () => {
    // Prepare: an instance as the launch step tags it, for the deployment started through the API.
    const ec2 = new EC2Client({ region: REGION });
    const image = (await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] }))).Images?.[0]?.ImageId;
    const originalArn = `${deployArn.replace(':stateMachine:', ':execution:')}:${apiDeploymentId}`;
    const run = await ec2.send(
      new RunInstancesCommand({
        ImageId: image, InstanceType: 'g5.xlarge', MinCount: 1, MaxCount: 1, InstanceMarketOptions: { MarketType: 'spot' },
        TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: MANAGED_BY_TAG, Value: 'gpu-deploy' }, { Key: DEPLOYMENT_TAG, Value: apiDeploymentId }, { Key: EXECUTION_ARN_TAG, Value: originalArn }] }],
      }),
    );
    const instanceId = run.Instances![0]!.InstanceId!;
    const lifecycle = run.Instances![0]!.InstanceLifecycle;
    const warning = { id: '7d1e4a44-aaaa-4bbb-8ccc-0123456789ab', source: 'aws.ec2', 'detail-type': 'EC2 Spot Instance Interruption Warning', region: REGION, time: '2025-01-01T12:00:00Z', detail: { 'instance-id': instanceId, 'instance-action': 'terminate' } };

    // Act
    const outcome = await spotInterruption(warning, context);

    // Assess
    expect(outcome).toMatchObject({ action: 'relaunched', deploymentId: apiDeploymentId, relaunch: { deploymentId: `ri1-${warning.id}` } });
    const relaunched = await execution(outcome.relaunch!.executionArn);
    expect(relaunched.status).toBe('RUNNING');
    // The rule: a spot instance of a market-auto request comes back on-demand.
    expect(JSON.parse(relaunched.input!)).toMatchObject({ instanceType: 'g5.xlarge', onInterruption: 'relaunch', market: lifecycle === 'spot' ? 'on-demand' : 'auto' });
    const tags = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }))).Reservations![0]!.Instances![0]!.Tags ?? [];
    expect(tags).toContainEqual({ Key: INTERRUPTED_AT_TAG, Value: '2025-01-01T12:00:00Z' });
    const interrupted = await publishedEvents('GPU Deployment Interrupted');
    expect(interrupted.find((e) => e.detail.instanceId === instanceId)).toMatchObject({ detail: { deploymentId: apiDeploymentId, action: 'relaunched', instanceAction: 'terminate' } });

    // An instance gpu-deploy did not launch is left alone.
    const other = await ec2.send(new RunInstancesCommand({ ImageId: image, InstanceType: 'g5.xlarge', MinCount: 1, MaxCount: 1 }));
    await ec2.send(new CreateTagsCommand({ Resources: [other.Instances![0]!.InstanceId!], Tags: [{ Key: 'team', Value: 'ml' }] }));
    expect(await spotInterruption({ ...warning, id: 'other', detail: { 'instance-id': other.Instances![0]!.InstanceId!, 'instance-action': 'terminate' } }, context)).toMatchObject({ action: 'ignored' });
  });

  test('API: DELETE refuses a running deployment (409), then starts the real teardown definition once it ended (202)', async () => {
    // Prepare
    const arn = `${deployArn.replace(':stateMachine:', ':execution:')}:${apiDeploymentId}`;
    const on = (httpMethod: string): ApiEvent => ({ httpMethod, resource: '/deployments/{id}', path: `/deployments/${apiDeploymentId}`, pathParameters: { id: apiDeploymentId } });

    // Act + Assess: running
    expect((await apiTeardown(on('DELETE'), context)).statusCode).toBe(409);

    // Act: the execution ends (moto: stopped), then DELETE.
    await sfn.send(new StopExecutionCommand({ executionArn: arn }));
    const status = body(await apiStatus(on('GET'), context));
    const response = await apiTeardown(on('DELETE'), context);

    // Assess
    expect(status).toMatchObject({ status: 'FAILED', executionStatus: 'ABORTED' });
    expect(response.statusCode).toBe(202);
    const started = body(response);
    const teardown = await execution(started.teardownExecutionArn as string);
    expect(teardown.stateMachineArn).toBe(teardownArn);
    expect(JSON.parse(teardown.input!)).toEqual({ deploymentId: apiDeploymentId, region: REGION });
    expect((await apiTeardown({ httpMethod: 'DELETE', resource: '/deployments/{id}', path: '/deployments/nope', pathParameters: { id: 'nope' } }, context)).statusCode).toBe(404);
  });
});
