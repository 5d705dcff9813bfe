/**
 * The safety net's teardown in the deployment's region (issue 14, point 3): the rule's event carries only the
 * stack's region, so the real teardown ASL with the real rollback handler reads the deployment's region from the
 * execution's own input (DescribeExecution in moto's Step Functions) and terminates the instance there.
 */
import { DescribeImagesCommand, DescribeInstancesCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { CreateStateMachineCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DEPLOYMENT_TAG, MANAGED_BY_TAG } from '../../lib/launch/tags.js';
import { startLocalCloud, type LocalCloud } from '../../lib/local/cloud.js';
import { DEPLOY_DEFINITION_PATH, TEARDOWN_DEFINITION_PATH, readDefinition, substituteArns } from '../../lib/workflow/definition.js';
import { HANDLERS } from '../../lib/workflow/handlers.js';
import { runLocally } from '../../lib/workflow/local-runner.js';

const STACK_REGION = 'us-east-1';
const DEPLOYED_REGION = 'eu-west-1';
let cloud: LocalCloud;

const ec2In = (region: string): EC2Client =>
  new EC2Client({ region, endpoint: cloud.moto.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });

/** An instance tagged as gpu-deploy tags a deployment's instance, straight in moto. */
async function taggedInstance(region: string, deploymentId: string): Promise<string> {
  const ec2 = ec2In(region);
  const images = await ec2.send(new DescribeImagesCommand({}));
  const imageId = images.Images?.[0]?.ImageId ?? '';
  const tags = [
    { Key: DEPLOYMENT_TAG, Value: deploymentId },
    { Key: MANAGED_BY_TAG, Value: 'gpu-deploy' },
  ];
  const out = await ec2.send(
    new RunInstancesCommand({ ImageId: imageId, InstanceType: 'g5.xlarge', MinCount: 1, MaxCount: 1, TagSpecifications: [{ ResourceType: 'instance', Tags: tags }] }),
  );
  return out.Instances?.[0]?.InstanceId ?? '';
}

async function stateOf(region: string, instanceId: string): Promise<string | undefined> {
  const out = await ec2In(region).send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
  return out.Reservations?.[0]?.Instances?.[0]?.State?.Name;
}

beforeAll(async () => {
  cloud = await startLocalCloud({ region: STACK_REGION });
}, 180_000);

afterAll(async () => {
  await cloud?.stop();
});

test('a deployment to another region that FAILED or timed out is torn down where it runs, not in the stack\'s region', async () => {
  // Prepare: the deploy state machine in the stack's region, one of its executions deploying to eu-west-1, and
  // that deployment's instance running there (plus another deployment's instance in the stack's region).
  const sfn = new SFNClient({ region: STACK_REGION });
  const definition = JSON.stringify(substituteArns(readDefinition(DEPLOY_DEFINITION_PATH)));
  const machine = await sfn.send(new CreateStateMachineCommand({ name: 'gpu-deploy-sn-deploy', roleArn: 'arn:aws:iam::123456789012:role/states', definition }));
  const deploymentId = 'sn-dep-1';
  const started = await sfn.send(
    new StartExecutionCommand({ stateMachineArn: machine.stateMachineArn, name: deploymentId, input: JSON.stringify({ instanceType: 'g5.xlarge', region: DEPLOYED_REGION }) }),
  );
  const theirs = await taggedInstance(DEPLOYED_REGION, deploymentId);
  const bystander = await taggedInstance(STACK_REGION, 'sn-other');

  // Act: the teardown, with the input the safety-net rule's InputTransformer sends (the package test pins it).
  const run = await runLocally({
    definition: readDefinition(TEARDOWN_DEFINITION_PATH),
    input: { deploymentId, executionArn: started.executionArn },
    handlers: HANDLERS,
    stateMachineName: 'gpu-deploy-teardown',
    waitMs: 20,
    retryMs: 10,
  });

  // Assess
  expect(run).toMatchObject({ status: 'SUCCEEDED', output: { status: 'TORN_DOWN', deploymentId, region: DEPLOYED_REGION, terminatedInstances: [theirs] } });
  expect(await stateOf(DEPLOYED_REGION, theirs)).toBe('terminated');
  expect(await stateOf(STACK_REGION, bystander)).toBe('running');
});
