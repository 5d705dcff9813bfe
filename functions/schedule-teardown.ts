import { schedulerClient } from '../lib/aws/scheduler.js';
import { stepHandler } from '../lib/middleware/handler.js';
import { scheduleTargetFromEnv, scheduleTeardownStep, type ScheduleTeardownInput } from '../lib/steps/schedule-teardown.js';

/** The schedule lives in the stack's own region, next to the teardown state machine it starts. */
export const handler = stepHandler('scheduleTeardown', (input: ScheduleTeardownInput) => {
  const target = scheduleTargetFromEnv();
  return scheduleTeardownStep(input, target ? schedulerClient(process.env.AWS_REGION ?? input.region) : undefined, target);
});
