import { readFileSync } from 'node:fs';
import { RequestInvalidError } from '../errors.js';
import { isNumericField } from '../request-schema.js';

/** Request flags shared by `plan`, `run` and `start`: flag name -> request field (its type comes from the schema). */
export const REQUEST_FLAGS = {
  'instance-type': 'instanceType',
  region: 'region',
  'os-type': 'osType',
  architecture: 'architecture',
  'ami-type': 'amiType',
  market: 'market',
  'max-hourly-price': 'maxHourlyPrice',
  'root-volume-gib': 'rootVolumeGiB',
  'subnet-id': 'subnetId',
  'instance-profile': 'instanceProfile',
  'max-lifetime': 'maxLifetimeMinutes',
  'ami-fallback': 'amiFallback',
  // A nested field: the flag sets idleTeardown.minutes (the threshold comes from --config or the default).
  'idle-teardown': 'idleTeardown.minutes',
  workspace: 'workspace.name',
} as const;

export const REQUEST_OPTION_SPEC = Object.fromEntries(
  [...Object.keys(REQUEST_FLAGS), 'config'].map((flag) => [flag, { type: 'string' as const }]),
) as Record<keyof typeof REQUEST_FLAGS | 'config', { type: 'string' }>;


/** Reads a JSON config file holding a request (validated later by the same schema as the state machine input). */
export function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new RequestInvalidError(`Cannot read config file ${path}: ${(error as Error).message}`, { hint: 'Pass --config with the path of a JSON request file' });
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed as Record<string, unknown>;
  } catch (error) {
    throw new RequestInvalidError(`Config file ${path} is not a JSON object: ${(error as Error).message}`, { hint: 'See examples/ for a valid request file' });
  }
}

/**
 * The raw request from flags, config file and environment: flags over config file over `AWS_REGION` over the
 * schema's defaults (applied by parseRequest).
 */
export function requestFromOptions(values: Record<string, string | boolean | undefined>, env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  const fromFile = typeof values.config === 'string' ? readConfigFile(values.config) : {};
  const request: Record<string, unknown> = { ...fromFile };
  if (request.region === undefined && env.AWS_REGION) request.region = env.AWS_REGION;
  for (const [flag, field] of Object.entries(REQUEST_FLAGS)) {
    const value = values[flag];
    if (typeof value !== 'string') continue;
    const parsed = isNumericField(field) && value.trim() !== '' && !Number.isNaN(Number(value)) ? Number(value) : value;
    const [top, nested] = field.split('.') as [string, string | undefined];
    if (nested === undefined) request[top] = parsed;
    else request[top] = { ...(typeof request[top] === 'object' && request[top] !== null ? (request[top] as Record<string, unknown>) : {}), [nested]: parsed };
  }
  return request;
}
