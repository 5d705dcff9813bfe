/**
 * The lifetime in the cloud: one EventBridge Scheduler schedule per deployment that starts the teardown state
 * machine at the deadline and then deletes itself. Every call takes an injected SchedulerClient.
 */
import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  UpdateScheduleCommand,
  type CreateScheduleCommandInput,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { awsErrorCode, callAws, toProjectError } from '../aws/classify.js';
import { atExpression, scheduleNameFor } from './deadline.js';

/** Where schedules go and what they may start: the stack's schedule group, role and teardown state machine. */
export interface ScheduleTarget {
  groupName: string;
  roleArn: string;
  teardownStateMachineArn: string;
}

/** The teardown's input when the deadline comes: the teardown then publishes "GPU Deployment Expired". */
export const expiredTeardownInput = (deploymentId: string, region: string): string => JSON.stringify({ deploymentId, region, reason: 'expired' });

/**
 * CreateSchedule's parameters: a one-time `at()` in UTC, no flexible window, deleted after it ran, the Step
 * Functions StartExecution (templated) target.
 */
export function teardownScheduleInput(deploymentId: string, region: string, expiresAt: string, target: ScheduleTarget): CreateScheduleCommandInput {
  return {
    Name: scheduleNameFor(deploymentId),
    GroupName: target.groupName,
    Description: `gpu-deploy: tear down ${deploymentId} (${region}) at its lifetime's end`,
    ScheduleExpression: atExpression(expiresAt),
    ScheduleExpressionTimezone: 'UTC',
    FlexibleTimeWindow: { Mode: 'OFF' },
    ActionAfterCompletion: 'DELETE',
    State: 'ENABLED',
    Target: {
      Arn: target.teardownStateMachineArn,
      RoleArn: target.roleArn,
      Input: expiredTeardownInput(deploymentId, region),
    },
  };
}

/**
 * Creates the deployment's schedule, or moves it when it exists (a retried step, or `extend`).
 *
 * @throws AwsThrottlingError, AwsTransientError, AwsAccessDeniedError, AwsRequestError
 */
export async function putTeardownSchedule(
  scheduler: SchedulerClient,
  deploymentId: string,
  region: string,
  expiresAt: string,
  target: ScheduleTarget,
): Promise<{ name: string; arn: string; action: 'created' | 'updated' }> {
  const input = teardownScheduleInput(deploymentId, region, expiresAt, target);
  try {
    const out = await scheduler.send(new CreateScheduleCommand(input));
    return { name: input.Name as string, arn: out.ScheduleArn ?? '', action: 'created' };
  } catch (error) {
    if (awsErrorCode(error) !== 'ConflictException') throw toProjectError(error, 'CreateSchedule');
  }
  const out = await callAws('UpdateSchedule', () => scheduler.send(new UpdateScheduleCommand(input)));
  return { name: input.Name as string, arn: out.ScheduleArn ?? '', action: 'updated' };
}

/**
 * Deletes the deployment's pending schedule; `absent` when there is none (it ran, was never made, or is gone).
 *
 * @throws AwsThrottlingError, AwsTransientError, AwsAccessDeniedError, AwsRequestError
 */
export async function deleteTeardownSchedule(scheduler: SchedulerClient, deploymentId: string, groupName: string): Promise<'deleted' | 'absent'> {
  try {
    await scheduler.send(new DeleteScheduleCommand({ Name: scheduleNameFor(deploymentId), GroupName: groupName }));
    return 'deleted';
  } catch (error) {
    if (awsErrorCode(error) === 'ResourceNotFoundException') return 'absent';
    throw toProjectError(error, 'DeleteSchedule');
  }
}

/** The pending schedule's expression (`at(...)`), or undefined when there is none. */
export async function findTeardownSchedule(scheduler: SchedulerClient, deploymentId: string, groupName: string): Promise<string | undefined> {
  try {
    const out = await scheduler.send(new GetScheduleCommand({ Name: scheduleNameFor(deploymentId), GroupName: groupName }));
    return out.ScheduleExpression;
  } catch (error) {
    if (awsErrorCode(error) === 'ResourceNotFoundException') return undefined;
    throw toProjectError(error, 'GetSchedule');
  }
}
