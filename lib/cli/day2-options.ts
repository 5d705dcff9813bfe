import { parseArgs, type ParseArgsConfig } from 'node:util';
import { useLocalCloud } from '../local/cloud-state.js';
import { REGION } from '../request.js';

/** Options every day-2 command (connect, tunnel, exec) takes besides its own. */
export const DAY2_OPTION_SPEC = {
  region: { type: 'string' },
  local: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

const usage = (message: string): Error => Object.assign(new TypeError(message), { code: 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' });

/** A flag's value as a whole number in [min, max]; a usage error (exit 2) otherwise. */
export function integerOption(value: string | undefined, flag: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) throw usage(`--${flag} must be a whole number from ${min} to ${max} (got ${JSON.stringify(value)})`);
  return Number(value);
}

export interface Day2Target {
  deploymentId: string;
  region: string;
  local: boolean;
  json: boolean;
}

/**
 * Parses `ID [options]` of a day-2 command. `--local` points the SDK at the running `gpu-deploy local-cloud`; the
 * region is --region, else the local cloud's, else AWS_REGION, else us-east-1.
 */
export function parseDay2<O extends NonNullable<ParseArgsConfig['options']>>(args: string[], command: string, options: O) {
  const parsed = parseArgs({ args, options: { ...DAY2_OPTION_SPEC, ...options }, allowPositionals: true, strict: true });
  if (parsed.positionals.length !== 1) throw Object.assign(new TypeError(`gpu-deploy ${command} takes one deployment id (got ${parsed.positionals.length})`), { code: 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' });
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const local = values.local === true;
  const cloud = local ? useLocalCloud() : undefined;
  const region = (typeof values.region === 'string' ? values.region : undefined) ?? cloud?.region ?? process.env.AWS_REGION ?? 'us-east-1';
  if (!REGION.test(region)) throw usage(`--region ${JSON.stringify(region)} is not an AWS region name such as eu-west-1`);
  const target: Day2Target = { deploymentId: parsed.positionals[0] as string, region, local, json: values.json === true };
  return { target, values };
}
