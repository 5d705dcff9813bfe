/** Where the deployed stack is and how the commands that talk to it follow an execution: --stage, --stack-region, --wait's timing. */
import { usageError } from './args.js';

export interface StackOptions {
  /** serverless stage: the stack is `gpu-deploy-<stage>`. */
  stage: string;
  /** Where the stack is deployed. */
  stackRegion: string;
  /** Poll interval of --wait. */
  pollMs?: number;
  timeoutMs?: number;
}

/**
 * Where the stack is: `--stack-region`, else `AWS_REGION` / `AWS_DEFAULT_REGION`, else `fallback` (the request's
 * region for start, `--region` for status and teardown), else us-east-1.
 */
export function stackRegionFrom(explicit: string | undefined, fallback: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return explicit ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? fallback ?? 'us-east-1';
}

/** --stage, --poll-seconds and --timeout-seconds as StackOptions (seconds become milliseconds). */
export function stackOptions(values: { stage?: unknown; 'poll-seconds'?: unknown; 'timeout-seconds'?: unknown }, stackRegion: string): StackOptions {
  const seconds = (flag: 'poll-seconds' | 'timeout-seconds'): number | undefined => {
    const value = values[flag];
    if (typeof value !== 'string') return undefined;
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw usageError(`--${flag} must be a positive number of seconds`);
    return n * 1000;
  };
  const pollMs = seconds('poll-seconds');
  const timeoutMs = seconds('timeout-seconds');
  return { stage: typeof values.stage === 'string' ? values.stage : 'dev', stackRegion, ...(pollMs === undefined ? {} : { pollMs }), ...(timeoutMs === undefined ? {} : { timeoutMs }) };
}
