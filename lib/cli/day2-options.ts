import { assertRegionExists } from '../aws/regions.js';
import { useLocalCloud } from '../local/cloud-state.js';
import { deploymentIdArg, parseCommandArgs, stringValue, usageError, type ParsedCommand } from './args.js';
import type { CommandSpec } from './commands.js';

/** A flag's value as a whole number in [min, max]; a usage error (exit 2) otherwise. */
export function integerOption(value: string | undefined, flag: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) throw usageError(`--${flag} must be a whole number from ${min} to ${max} (got ${JSON.stringify(value)})`);
  return Number(value);
}

/**
 * Where a command looks for a deployment: `local` is the running `gpu-deploy local-cloud`, `aws` whatever the AWS
 * SDK is configured for (no stack needed), `stack` neither flag: the deployed stack where the command needs one.
 */
export type Via = 'local' | 'aws' | 'stack';

export interface Day2Target {
  deploymentId: string;
  region: string;
  via: Via;
  local: boolean;
  json: boolean;
}

/**
 * `--local` / `--aws` of a parsed command. `--local` points this process's SDK at the running local cloud (or
 * fails with LocalCloudNotRunningError saying how to start one); the region is then --region, else the local
 * cloud's, else AWS_REGION, else us-east-1, and is checked to exist before any AWS call.
 */
export async function resolveTarget(values: ParsedCommand['values']): Promise<{ via: Via; region: string }> {
  const via: Via = values.local === true ? 'local' : values.aws === true ? 'aws' : 'stack';
  const cloud = via === 'local' ? useLocalCloud() : undefined;
  const region = stringValue(values, 'region') ?? cloud?.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  await assertRegionExists(region, { flag: '--region', emulated: via === 'local' });
  return { via, region };
}

/** Parses `ID [options]` of a day-2 command and where it looks (resolveTarget). */
export async function parseDay2(args: string[], command: CommandSpec): Promise<{ target: Day2Target; values: ParsedCommand['values'] }> {
  const { values, positionals } = parseCommandArgs(command, args);
  const deploymentId = deploymentIdArg(positionals, command.name);
  const { via, region } = await resolveTarget(values);
  return { target: { deploymentId, region, via, local: via === 'local', json: values.json === true }, values };
}
