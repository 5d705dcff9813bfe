import { DescribeInstancesCommand, DescribeSecurityGroupsCommand, EC2Client, type Instance } from '@aws-sdk/client-ec2';
import { randomUUID } from 'node:crypto';
import type { LocalCloud } from '../../lib/local/cloud.js';
import { DEPLOYMENT_TAG } from '../../lib/launch/tags.js';
import { HANDLERS } from '../../lib/workflow/handlers.js';
import { runLocally, type LocalRunResult, type ProgressEvent } from '../../lib/workflow/local-runner.js';

/** Talks to moto directly (not through the stand-in), to see what the emulator really holds. */
export function motoEc2(cloud: LocalCloud): EC2Client {
  return new EC2Client({ region: cloud.region, endpoint: cloud.moto.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
}

export async function deploymentInstances(cloud: LocalCloud, deploymentId: string): Promise<Instance[]> {
  const out = await motoEc2(cloud).send(new DescribeInstancesCommand({ Filters: [{ Name: `tag:${DEPLOYMENT_TAG}`, Values: [deploymentId] }] }));
  return (out.Reservations ?? []).flatMap((r) => r.Instances ?? []);
}

export async function liveDeploymentInstances(cloud: LocalCloud, deploymentId: string): Promise<Instance[]> {
  return (await deploymentInstances(cloud, deploymentId)).filter((i) => i.State?.Name !== 'terminated');
}

export async function deploymentSecurityGroups(cloud: LocalCloud, deploymentId: string) {
  const out = await motoEc2(cloud).send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: `tag:${DEPLOYMENT_TAG}`, Values: [deploymentId] }] }));
  return out.SecurityGroups ?? [];
}

export interface Deployment extends LocalRunResult {
  deploymentId: string;
  events: ProgressEvent[];
}

/** Runs the real ASL with the real handlers against the local cloud. */
export async function deploy(input: Record<string, unknown>, executionName = `it-${randomUUID().slice(0, 8)}`): Promise<Deployment> {
  const events: ProgressEvent[] = [];
  const result = await runLocally({ input, handlers: HANDLERS, executionName, waitMs: 20, retryMs: 10, onEvent: (e) => events.push(e) });
  return { ...result, deploymentId: executionName, events };
}

export const enteredStates = (events: ProgressEvent[]): string[] => events.filter((e) => e.kind === 'entered').map((e) => e.state);
