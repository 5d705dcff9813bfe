/**
 * `gpu-deploy extend ID --minutes N | --none`: moves a deployment's deadline N minutes later (from its current
 * deadline, or from now when it has none or it passed), or removes it: the instance's backstop, its tag, and the
 * deployed stack's teardown schedule.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SSMClient } from '@aws-sdk/client-ssm';
import { StackNotDeployedError } from '../api/errors.js';
import { checkDeploymentId } from '../api/sfn.js';
import { cloudFormationClient, deployedStack, stackName } from '../api/stack.js';
import { awsErrorCode } from '../aws/classify.js';
import { RequestInvalidError } from '../errors.js';
import { extendLifetime, type ExtendDeps } from '../lifetime/extend.js';
import { REQUEST_LIMITS } from '../request.js';
import { printFailure } from './failure.js';
import { stringValue } from './args.js';
import { commandSpec } from './commands.js';
import { parseDay2 } from './day2-options.js';
import { printJson, type Io } from './output.js';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';

/** Clients and timing; tests inject them. */
export interface ExtendCliDeps {
  ec2?: EC2Client;
  ssm?: SSMClient;
  scheduler?: SchedulerClient;
  cfn?: CloudFormationClient;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  pollMs?: number;
}

function minutesFrom(value: string | undefined, none: boolean): number | null {
  // --minutes with --none is refused by the parser (one group in lib/cli/commands.ts).
  if (none) return null;
  const { min, max } = { min: 1, max: REQUEST_LIMITS.maxLifetimeMinutes.max };
  const minutes = Number(value);
  if (value === undefined || !Number.isSafeInteger(minutes) || minutes < min || minutes > max) {
    throw new RequestInvalidError(`--minutes must be a whole number from ${min} to ${max} (got ${value ?? 'nothing'})`, {
      hint: 'gpu-deploy extend ID --minutes 60 adds an hour; --none removes the lifetime',
    });
  }
  return minutes;
}

/** The stack's schedules, or why there are none (no stack: a `gpu-deploy run` deployment). */
async function stackSchedules(cfn: CloudFormationClient, stage: string, stackRegion: string, scheduler: SchedulerClient): Promise<Pick<ExtendDeps, 'schedules' | 'noSchedulesReason'>> {
  try {
    const stack = await deployedStack(cfn, stage, stackRegion);
    if (!stack.scheduleGroupName || !stack.schedulerRoleArn) return { noSchedulesReason: `the stack ${stack.stackName} predates lifetimes (npx serverless deploy updates it)` };
    return {
      schedules: {
        scheduler,
        deployStateMachineArn: stack.deployStateMachineArn,
        target: { groupName: stack.scheduleGroupName, roleArn: stack.schedulerRoleArn, teardownStateMachineArn: stack.teardownStateMachineArn },
      },
    };
  } catch (error) {
    // No stack (or no CloudFormation, as in the emulator): the deployment ran with `gpu-deploy run`.
    if (error instanceof StackNotDeployedError || awsErrorCode(error) === 'ValidationError') {
      return { noSchedulesReason: `no stack ${stackName(stage)} in ${stackRegion}: the instance's tag and backstop hold the lifetime` };
    }
    throw error;
  }
}


/** `gpu-deploy extend`: parses its own arguments (and `--json`) and prints its own result or failure. */
export async function extendMain(args: string[], io: Io, deps: ExtendCliDeps = {}): Promise<number> {
  try {
    return await extend(args, io, deps);
  } catch (error) {
    return printFailure(io, args.includes('--json'), error);
  }
}

async function extend(args: string[], io: Io, deps: ExtendCliDeps): Promise<number> {
  const { target, values } = await parseDay2(args, commandSpec('extend'));
  const deploymentId = checkDeploymentId(target.deploymentId);
  const minutes = minutesFrom(stringValue(values, 'minutes'), values.none === true);
  const { region } = target;
  const stackRegion = stringValue(values, 'stack-region') ?? region;
  const scheduler = deps.scheduler ?? new SchedulerClient({ region: stackRegion, maxAttempts: 3 });
  // --aws and --local name a deployment made with `gpu-deploy run`: no stack holds a schedule of it.
  const schedules =
    target.via === 'stack'
      ? await stackSchedules(deps.cfn ?? cloudFormationClient(stackRegion), stringValue(values, 'stage') ?? 'dev', stackRegion, scheduler)
      : { noSchedulesReason: `--${target.via}: a gpu-deploy run deployment has no stack schedule; the instance's tag and backstop hold the lifetime` };
  io.err(`Moving the lifetime of ${deploymentId} in ${region}: the instance's backstop (Run Command), its tag, the teardown schedule...\n`);
  const result = await extendLifetime(
    {
      ec2: deps.ec2 ?? new EC2Client({ region, maxAttempts: 3 }),
      ssm: deps.ssm ?? new SSMClient({ region, maxAttempts: 3 }),
      ...schedules,
      ...(deps.now ? { now: deps.now } : {}),
      ...(deps.sleep ? { sleep: deps.sleep } : {}),
      ...(deps.pollMs === undefined ? {} : { pollMs: deps.pollMs }),
    },
    { deploymentId, region, minutes },
  );
  io.err(`${result.instanceId}: ${result.previousExpiresAt ?? 'no deadline'} -> ${result.expiresAt ?? 'no deadline'}\n`);
  io.err(`  instance: ${result.backstop.output}\n  schedule: ${result.schedule.action}${result.schedule.name ? ` ${result.schedule.name}` : ''}${result.schedule.reason ? ` (${result.schedule.reason})` : ''}\n`);
  io.err(`  ${result.summary}\n`);
  printJson(io, { status: 'EXTENDED', ...result });
  return 0;
}
