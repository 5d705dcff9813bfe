import { EC2ServiceException } from '@aws-sdk/client-ec2';
import { AwsThrottlingError, LaunchPlanEmptyError } from '../../../lib/errors.js';
import { stepHandler } from '../../../lib/middleware/handler.js';

type LambdaContext = Parameters<ReturnType<typeof stepHandler>>[1];
const context = { functionName: 'gpu-deploy-test', awsRequestId: 'req-1' } as unknown as LambdaContext;

describe('stepHandler', () => {
  test('runs the step with the event and returns its result; the step is exposed as .step', async () => {
    // Prepare
    const seen: unknown[] = [];
    const step = async (event: { n: number }): Promise<{ doubled: number }> => {
      seen.push(event);
      return { doubled: event.n * 2 };
    };
    const handler = stepHandler('double', step);
    // Act
    const result = await handler({ n: 21 }, context);
    // Assess
    expect(result).toEqual({ doubled: 42 });
    expect(seen).toEqual([{ n: 21 }]);
    expect(handler.step).toBe(step);
    expect(await handler.step({ n: 2 })).toEqual({ doubled: 4 });
  });

  test('an SDK error escaping the step reaches Lambda as the named project error', async () => {
    // Prepare
    const handler = stepHandler('launch', async () => {
      throw new EC2ServiceException({ name: 'RequestLimitExceeded', $fault: 'client', $metadata: { httpStatusCode: 503 }, message: 'slow down' });
    });
    // Act
    const failure = handler({}, context);
    // Assess
    await expect(failure).rejects.toBeInstanceOf(AwsThrottlingError);
    await expect(failure).rejects.toMatchObject({ name: 'AwsThrottlingError', details: { code: 'RequestLimitExceeded', operation: 'launch' } });
  });

  test('a project error keeps its name and gets its hint in the message', async () => {
    // Prepare
    const handler = stepHandler('planCapacity', async () => {
      throw new LaunchPlanEmptyError('No way to launch', { hint: 'Raise maxHourlyPrice' });
    });
    // Act + Assess
    await expect(handler({}, context)).rejects.toMatchObject({ name: 'LaunchPlanEmptyError', message: 'No way to launch. Raise maxHourlyPrice' });
  });

  test('.step bypasses the middleware: errors are not rewritten', async () => {
    // Prepare
    const handler = stepHandler('planCapacity', async () => {
      throw new LaunchPlanEmptyError('No way to launch', { hint: 'Raise maxHourlyPrice' });
    });
    // Act + Assess
    await expect(handler.step({})).rejects.toThrow(/^No way to launch$/);
  });

  test('a missing functionName throws when the handler is built', () => {
    expect(() => stepHandler('', async () => 1)).toThrow('namedErrors needs a functionName');
  });
});
