/**
 * `gpu-deploy extend`: moves a deployment's deadline everywhere it is enforced, instance first: its own backstop
 * (Run Command), then its expires-at tag, then the stack's teardown schedule. When the instance cannot be reached,
 * nothing is changed (a moved schedule with an old backstop would still end the instance at the old time).
 */
import { CreateTagsCommand, DeleteTagsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { callAws } from '../aws/classify.js';
import { executionArn } from '../api/sfn.js';
import { LifetimeBackstopFailedError, LifetimeInstanceNotFoundError } from '../errors.js';
import { findDeploymentInstances } from '../launch/instance.js';
import { EXECUTION_ARN_TAG, EXPIRES_AT_TAG, IDLE_TEARDOWN_TAG, parseIdleTeardownTag, tagMap } from '../launch/tags.js';
import { getInvocation, sendShellCommand } from '../ssm/command.js';
import { backstopCommands } from './backstop-command.js';
import { extendedDeadline, lifetimeView } from './deadline.js';
import { deleteTeardownSchedule, putTeardownSchedule, type ScheduleTarget } from './schedule.js';

export interface ExtendDeps {
  ec2: EC2Client;
  ssm: SSMClient;
  /** The deployed stack's schedules; absent without a stack (a `gpu-deploy run` deployment has no schedule). */
  schedules?: { scheduler: SchedulerClient; target: ScheduleTarget; deployStateMachineArn: string };
  /** Why there are no schedules, for the result. */
  noSchedulesReason?: string;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  pollMs?: number;
  timeoutMs?: number;
}

export interface ExtendOptions {
  deploymentId: string;
  region: string;
  /** Minutes to add to the deadline (or to now, when there is none or it passed); null removes the lifetime. */
  minutes: number | null;
}

export interface ExtendResult {
  deploymentId: string;
  instanceId: string;
  region: string;
  previousExpiresAt: string | null;
  expiresAt: string | null;
  backstop: { commandId: string; output: string };
  schedule: { action: 'created' | 'updated' | 'deleted' | 'absent' | 'skipped'; name?: string; reason?: string };
  summary: string;
}

const LIVE = new Set(['pending', 'running']);

async function moveBackstop(deps: ExtendDeps, instanceId: string, expiresAt: string | null, deploymentId: string): Promise<ExtendResult['backstop']> {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const timeoutMs = deps.timeoutMs ?? 90_000;
  const hint = `Check that the instance's SSM agent is online (gpu-deploy status ${deploymentId}), then run extend again; nothing was changed`;
  const sent = await sendShellCommand(deps.ssm, instanceId, backstopCommands(expiresAt), { timeoutSeconds: 60, comment: `gpu-deploy extend ${deploymentId}` });
  const started = Date.now();
  for (;;) {
    const result = await getInvocation(deps.ssm, sent.commandId, instanceId);
    if (result.status === 'done') {
      if (result.ok) return { commandId: sent.commandId, output: result.stdout.trim() };
      throw new LifetimeBackstopFailedError(`The instance's backstop could not be moved: ${result.detail} (exit ${result.responseCode}) ${result.stderr.trim()}`.trim(), {
        hint,
        details: { instanceId, commandId: sent.commandId },
      });
    }
    if (Date.now() - started > timeoutMs) {
      throw new LifetimeBackstopFailedError(`The instance did not run the backstop update within ${Math.round(timeoutMs / 1000)} s (${result.detail})`, {
        hint,
        details: { instanceId, commandId: sent.commandId },
      });
    }
    await sleep(deps.pollMs ?? 2000);
  }
}

/**
 * @throws LifetimeInstanceNotFoundError, LifetimeBackstopFailedError, Aws*Error
 */
export async function extendLifetime(deps: ExtendDeps, options: ExtendOptions): Promise<ExtendResult> {
  const { deploymentId, region } = options;
  const instance = (await findDeploymentInstances(deps.ec2, deploymentId)).find((i) => LIVE.has(i.State?.Name ?? ''));
  if (!instance?.InstanceId) {
    throw new LifetimeInstanceNotFoundError(`No running instance of deployment ${deploymentId} in ${region}`, {
      hint: 'Check the id (gpu-deploy list shows them) and pass the region it runs in with --region',
      details: { deploymentId, region },
    });
  }
  const instanceId = instance.InstanceId;
  const tags = tagMap(instance);
  const previousExpiresAt = tags[EXPIRES_AT_TAG] ?? null;
  const expiresAt = options.minutes === null ? null : extendedDeadline(previousExpiresAt ?? undefined, options.minutes, deps.now?.() ?? new Date());

  const backstop = await moveBackstop(deps, instanceId, expiresAt, deploymentId);
  if (expiresAt) {
    await callAws('CreateTags', () => deps.ec2.send(new CreateTagsCommand({ Resources: [instanceId], Tags: [{ Key: EXPIRES_AT_TAG, Value: expiresAt }] })));
  } else {
    await callAws('DeleteTags', () => deps.ec2.send(new DeleteTagsCommand({ Resources: [instanceId], Tags: [{ Key: EXPIRES_AT_TAG }] })));
  }

  let schedule: ExtendResult['schedule'];
  const own = deps.schedules && tags[EXECUTION_ARN_TAG] === executionArn(deps.schedules.deployStateMachineArn, deploymentId);
  if (!deps.schedules || !own) {
    schedule = { action: 'skipped', reason: deps.schedules ? 'the deployed stack did not launch this instance' : (deps.noSchedulesReason ?? 'no deployed stack') };
  } else if (expiresAt) {
    const put = await putTeardownSchedule(deps.schedules.scheduler, deploymentId, region, expiresAt, deps.schedules.target);
    schedule = { action: put.action, name: put.name };
  } else {
    schedule = { action: await deleteTeardownSchedule(deps.schedules.scheduler, deploymentId, deps.schedules.target.groupName) };
  }
  return {
    deploymentId,
    instanceId,
    region,
    previousExpiresAt,
    expiresAt,
    backstop,
    schedule,
    summary: lifetimeView(expiresAt, parseIdleTeardownTag(tags[IDLE_TEARDOWN_TAG]), schedule.action === 'created' || schedule.action === 'updated').summary,
  };
}
