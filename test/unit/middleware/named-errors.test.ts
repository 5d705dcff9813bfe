import type { Request } from '@middy/core';
import { EC2ServiceException } from '@aws-sdk/client-ec2';
import {
  AwsAccessDeniedError,
  AwsRequestError,
  AwsThrottlingError,
  AwsTransientError,
  GpuDeployError,
  InstanceTypeUnknownError,
  RequestInvalidError,
} from '../../../lib/errors.js';
import { logger } from '../../../lib/middleware/logger.js';
import { namedErrors, type ErrorLogEntry } from '../../../lib/middleware/named-errors.js';

type AnyRequest = Request<unknown, unknown, Error>;

const requestWith = (error: unknown): AnyRequest =>
  ({ event: {}, context: {}, response: undefined, error, internal: {} }) as unknown as AnyRequest;

/** Runs the middleware's onError on an error and returns what is left in request.error, and the log lines. */
async function convert(error: unknown, functionName = 'launch'): Promise<{ error: unknown; lines: Record<string, unknown>[] }> {
  const lines: ErrorLogEntry[] = [];
  const middleware = namedErrors({ functionName, log: (entry) => lines.push(entry) });
  const request = requestWith(error);
  await middleware.onError?.(request as never);
  return { error: request.error, lines: lines as unknown as Record<string, unknown>[] };
}

const sdkError = (name: string, status: number): EC2ServiceException =>
  new EC2ServiceException({ name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, message: `${name} says no` });

describe('namedErrors', () => {
  test.each<[string, number, new (...args: never[]) => GpuDeployError]>([
    ['RequestLimitExceeded', 503, AwsThrottlingError],
    ['ThrottlingException', 400, AwsThrottlingError],
    ['UnauthorizedOperation', 403, AwsAccessDeniedError],
    ['InternalError', 500, AwsTransientError],
    ['InvalidParameterValue', 400, AwsRequestError],
  ])('an SDK %s error becomes the project error by its code', async (code, status, expected) => {
    // Act
    const { error } = await convert(sdkError(code, status));
    // Assess
    expect(error).toBeInstanceOf(expected);
    expect((error as GpuDeployError).details).toEqual({ code, operation: 'launch' });
    expect((error as GpuDeployError).cause).toBeInstanceOf(EC2ServiceException);
  });

  test('a plain object with $metadata counts as an SDK error', async () => {
    // Act
    const { error } = await convert(Object.assign(new Error('slow'), { name: 'SlowDown', $metadata: { httpStatusCode: 503 } }));
    // Assess
    expect(error).toBeInstanceOf(AwsThrottlingError);
  });

  test('the hint is appended to the message, once', async () => {
    // Prepare
    const original = new InstanceTypeUnknownError('EC2 has no instance type "g5.xlarg"', { hint: 'Did you mean g5.xlarge?' });
    // Act
    const first = await convert(original);
    const second = await convert(first.error);
    // Assess
    expect(first.error).toBe(original);
    expect((second.error as Error).message).toBe('EC2 has no instance type "g5.xlarg". Did you mean g5.xlarge?');
  });

  test('a converted SDK error carries its hint in the message', async () => {
    // Act
    const { error } = await convert(sdkError('RequestLimitExceeded', 503));
    // Assess
    expect((error as Error).message).toBe('launch failed: RequestLimitExceeded: RequestLimitExceeded says no. AWS throttled the call; it is retried with backoff');
  });

  test('a project error without a hint is left as it is', async () => {
    // Prepare
    const original = new RequestInvalidError('bad');
    // Act
    const { error, lines } = await convert(original);
    // Assess
    expect(error).toBe(original);
    expect((error as Error).message).toBe('bad');
    expect(lines).toEqual([{ level: 'error', function: 'launch', error: 'RequestInvalidError', message: 'bad' }]);
  });

  test('non-SDK errors pass untouched', async () => {
    // Prepare
    const original = new TypeError('x is not a function');
    // Act
    const { error, lines } = await convert(original);
    // Assess
    expect(error).toBe(original);
    expect(error).not.toBeInstanceOf(GpuDeployError);
    expect((error as Error).message).toBe('x is not a function');
    expect(lines[0]).toEqual({ level: 'error', function: 'launch', error: 'TypeError', message: 'x is not a function' });
  });

  test('logs one JSON line with the function, error name, message and hint', async () => {
    // Act
    const { lines } = await convert(new InstanceTypeUnknownError('unknown', { hint: 'Did you mean g5.xlarge?' }), 'validateRequest');
    // Assess
    expect(lines).toEqual([
      { level: 'error', function: 'validateRequest', error: 'InstanceTypeUnknownError', message: 'unknown. Did you mean g5.xlarge?', hint: 'Did you mean g5.xlarge?' },
    ]);
  });

  test('a missing error leaves request.error alone and still logs', async () => {
    // Act
    const { error, lines } = await convert(undefined);
    // Assess
    expect(error).toBeUndefined();
    expect(lines).toEqual([{ level: 'error', function: 'launch' }]);
  });

  test('a missing functionName throws at set-up', () => {
    expect(() => namedErrors({ functionName: '' })).toThrow(new TypeError('namedErrors needs a functionName'));
  });

  test('by default the error goes to the Powertools logger as one JSON line on stderr', async () => {
    // Prepare: the logger is silent outside Lambda; let it speak, and catch what it writes.
    const written: string[] = [];
    const write = process.stderr.write;
    logger.setLogLevel('INFO');
    process.stderr.write = ((chunk: string | Uint8Array) => written.push(String(chunk)) > 0) as typeof process.stderr.write;
    try {
      // Act
      await namedErrors({ functionName: 'launch' }).onError?.(requestWith(new RequestInvalidError('inside', { hint: 'fix it' })) as never);
    } finally {
      process.stderr.write = write;
      logger.setLogLevel('SILENT');
    }
    // Assess
    expect(written).toHaveLength(1);
    expect(JSON.parse(written[0]!)).toMatchObject({ level: 'ERROR', service: 'gpu-deploy', function: 'launch', error: 'RequestInvalidError', message: 'inside. fix it', hint: 'fix it' });
  });

  test('outside Lambda (no log level asked for) the logger writes nothing', async () => {
    const written: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string | Uint8Array) => written.push(String(chunk)) > 0) as typeof process.stderr.write;
    try {
      await namedErrors({ functionName: 'launch' }).onError?.(requestWith(new RequestInvalidError('quiet')) as never);
    } finally {
      process.stderr.write = write;
    }
    expect(written).toEqual([]);
  });
});
