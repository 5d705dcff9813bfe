import { DescribeInstancesCommand, DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import { teardownName } from '../api/deployments.js';
import { DeploymentNotFoundError } from '../api/errors.js';
import { callAws } from '../aws/classify.js';
import { ec2Client } from '../aws/ec2.js';
import { DEPLOYMENT_TAG } from '../launch/tags.js';
import { readDefinition, TEARDOWN_DEFINITION_PATH } from '../workflow/definition.js';
import { HANDLERS } from '../workflow/handlers.js';
import { runLocally } from '../workflow/local-runner.js';
import { pollLoops } from '../workflow/loops.js';
import { LOCAL_TIME_SCALE } from '../workflow/time-scale.js';
import type { Day2Target } from './day2-options.js';
import { printJson, type Io } from './output.js';
import { loopDeadlines, stderrProgress } from './progress.js';

/** What EC2 still holds of a deployment, by its tag: instances (any state) and security groups. */
async function taggedResources(region: string, deploymentId: string): Promise<{ instances: string[]; securityGroups: string[] }> {
  const ec2 = ec2Client(region);
  const filter = [{ Name: `tag:${DEPLOYMENT_TAG}`, Values: [deploymentId] }];
  const [described, groups] = await Promise.all([
    callAws('DescribeInstances', () => ec2.send(new DescribeInstancesCommand({ Filters: filter }))),
    callAws('DescribeSecurityGroups', () => ec2.send(new DescribeSecurityGroupsCommand({ Filters: filter }))),
  ]);
  return {
    instances: (described.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => `${i.InstanceId ?? '?'} ${i.State?.Name ?? '?'}`),
    securityGroups: (groups.SecurityGroups ?? []).map((g) => g.GroupId ?? '?'),
  };
}

/**
 * `teardown ID --aws | --local`: the teardown state machine (statemachines/teardown.asl.json, the definition the
 * stack deploys) run in this process with the real handlers, as `run` runs the deploy one: the same states, the same
 * result (`TORN_DOWN` with what it terminated and deleted) and the same progress. Locally its waits are scaled as a
 * local run's are. An id nothing is tagged with is refused before anything runs.
 *
 * @throws DeploymentNotFoundError when no instance or security group carries the deployment's tag in the region
 */
export async function teardownHere(target: Day2Target, io: Io): Promise<number> {
  const { deploymentId, region } = target;
  const found = await taggedResources(region, deploymentId);
  if (found.instances.length === 0 && found.securityGroups.length === 0) {
    throw new DeploymentNotFoundError(`Nothing in ${region} is tagged gpu-deploy:deployment-id=${deploymentId}`, {
      hint: `Check the id and the region (--region R): gpu-deploy list${target.local ? ' --local' : ''} shows the deployments`,
      details: { deploymentId, region },
    });
  }
  io.err(`Tearing down ${deploymentId} in ${region} (${[...found.instances, ...found.securityGroups].join(', ')}) by the teardown state machine, in this process...\n`);
  const definition = readDefinition(TEARDOWN_DEFINITION_PATH);
  const progress = stderrProgress(io, pollLoops(definition), loopDeadlines());
  const result = await runLocally({
    definition,
    stateMachineName: 'gpu-deploy-teardown',
    executionName: teardownName(deploymentId),
    input: { deploymentId, region },
    handlers: HANDLERS,
    ...(target.local ? { waitScale: LOCAL_TIME_SCALE, retryMs: 50 } : {}),
    onEvent: progress.onEvent,
  });
  progress.finish();
  const execution = { arn: result.executionArn, transitions: result.transitions, lambdaInvocations: result.lambdaInvocations, durationMs: result.durationMs };
  if (result.status === 'SUCCEEDED') {
    const output = result.output as { terminatedInstances?: string[]; deletedSecurityGroups?: string[] };
    io.err(`Teardown of ${deploymentId} SUCCEEDED: terminated ${output.terminatedInstances?.join(', ') || 'nothing'}, deleted ${output.deletedSecurityGroups?.join(', ') || 'no security group'}\n`);
    printJson(io, { ...(result.output as Record<string, unknown>), execution });
    return 0;
  }
  io.err(`Teardown of ${deploymentId} FAILED: ${result.error}: ${result.cause ?? ''}\n`);
  printJson(io, { status: 'FAILED', deploymentId, region, error: result.error, cause: result.cause, execution });
  return 1;
}
