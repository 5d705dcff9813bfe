import { awsErrorCode } from '../aws/classify.js';

/**
 * EC2's documented eventual consistency: a resource created a moment ago (a security group, an IAM instance
 * profile) can still be unknown to RunInstances. Such an error is retried with backoff, bounded; anything else is
 * thrown at once.
 */
export interface PropagationRetryOptions {
  /** Tries in all, the first included (default 6). */
  attempts?: number;
  /** The first pause; doubled each time up to maxDelayMs (defaults 1 s and 8 s: about 30 s in all). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Told before each pause: the error code and the try that failed (1-based). */
  onRetry?: (code: string, attempt: number, delayMs: number) => void;
}

export const PROPAGATION_RETRY_DEFAULTS = { attempts: 6, baseDelayMs: 1000, maxDelayMs: 8000 } as const;

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Whether an AWS error means "created a moment ago, not visible yet" for a RunInstances call:
 * `InvalidGroup.NotFound` (the security group), or `InvalidParameterValue` about the instance profile the call
 * named. EC2 has no code of its own for the profile case (its message reads "Value (NAME) for parameter
 * iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name"), so only that parameter, and only when
 * the call sent a profile, counts; every other InvalidParameterValue is a real mistake and fails at once.
 */
export function isNotYetVisible(error: unknown, sent: { instanceProfileName?: string } = {}): boolean {
  const code = awsErrorCode(error);
  if (code === 'InvalidGroup.NotFound') return true;
  if (code !== 'InvalidParameterValue' || !sent.instanceProfileName) return false;
  const message = error instanceof Error ? error.message : '';
  return /iamInstanceProfile/i.test(message) && message.includes(sent.instanceProfileName);
}

/**
 * Runs `call` and repeats it while `retryable(error)` says the error is eventual consistency, with exponential
 * backoff, at most `attempts` times. The call must be idempotent (RunInstances with the same ClientToken is).
 *
 * @example
 * await retryWhileNotYetVisible(() => ec2.send(new RunInstancesCommand(input)), (e) => isNotYetVisible(e, { instanceProfileName }));
 */
export async function retryWhileNotYetVisible<T>(
  call: () => Promise<T>,
  retryable: (error: unknown) => boolean,
  options: PropagationRetryOptions = {},
): Promise<T> {
  const attempts = Math.max(1, options.attempts ?? PROPAGATION_RETRY_DEFAULTS.attempts);
  const base = options.baseDelayMs ?? PROPAGATION_RETRY_DEFAULTS.baseDelayMs;
  const max = options.maxDelayMs ?? PROPAGATION_RETRY_DEFAULTS.maxDelayMs;
  const sleep = options.sleep ?? realSleep;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= attempts || !retryable(error)) throw error;
      const delayMs = Math.min(max, base * 2 ** (attempt - 1));
      options.onRetry?.(awsErrorCode(error) ?? 'Unknown', attempt, delayMs);
      await sleep(delayMs);
    }
  }
}
