import { readFileSync } from 'node:fs';
import type { $ZodType } from 'zod/v4/core';
import { RequestInvalidError } from '../errors.js';
import { parseRequest } from '../request.js';
import { isNumericField, RequestSchema, requestField } from '../request-schema.js';
import type { OptionSpecs } from './commands.js';

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

/** A request field's schema as declared, with its description and default (`idleTeardown.minutes` too). */
function declaredField(path: string): $ZodType | undefined {
  const dot = path.lastIndexOf('.');
  const parent = dot < 0 ? RequestSchema : requestField(path.slice(0, dot));
  const shape = (parent as { shape?: Record<string, $ZodType> } | undefined)?.shape;
  return shape?.[path.slice(dot + 1)];
}

/** `--os-type`'s help line, from the declaration: its description, its choices and its default. */
export function requestFlagHelp(field: string): string {
  const declared = declaredField(field) as ($ZodType & { description?: string }) | undefined;
  const def = declared?._zod.def as { defaultValue?: unknown } | undefined;
  const inner = requestField(field) as ($ZodType & { options?: readonly string[]; description?: string }) | undefined;
  const description = declared?.description ?? inner?.description ?? field;
  // A description that already says its default keeps it; the choices are listed either way.
  const fallback = typeof def?.defaultValue === 'object' || description.includes('Default') ? undefined : def?.defaultValue;
  if (inner?._zod.def.type === 'enum') return `${description} (${(inner.options ?? []).map((o) => (o === fallback ? `${o}: default` : o)).join(', ')})`;
  return fallback === undefined ? description : `${description} (default ${String(fallback)})`;
}

/** The request flags as options: what parses them and what --help says of each (read from the request's declaration). */
export const REQUEST_OPTION_SPECS: OptionSpecs = {
  ...Object.fromEntries(
    Object.entries(REQUEST_FLAGS).map(([flag, field]) => [
      flag,
      { type: 'string' as const, value: isNumericField(field) ? 'N' : (flag.split('-').at(-1) ?? flag).toUpperCase(), help: requestFlagHelp(field) },
    ]),
  ),
  config: { type: 'string', value: 'FILE', help: 'a JSON request (see examples/); the flags given win over it' },
};


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

/** The field each request flag sets, for naming the flag the user typed in an error about its field. */
const FLAG_OF_FIELD: Record<string, string> = Object.fromEntries(Object.entries(REQUEST_FLAGS).map(([flag, field]) => [field, flag]));

/**
 * The raw request of `requestFromOptions`, validated now so that every problem names the flag the user typed
 * (`--max-lifetime -5: maxLifetimeMinutes must be ...`). The state machine validates it again.
 *
 * @throws RequestInvalidError
 */
export function requestFromFlags(values: Record<string, string | boolean | undefined>, env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  const raw = requestFromOptions(values, env);
  try {
    parseRequest(raw);
  } catch (error) {
    if (!(error instanceof RequestInvalidError)) throw error;
    const problems = (error.details?.problems as string[] | undefined) ?? [];
    const fields = (error.details?.fields as string[] | undefined) ?? [];
    const named = problems.map((problem, i) => {
      const flag = FLAG_OF_FIELD[fields[i] ?? ''];
      const typed = flag === undefined ? undefined : values[flag];
      return typeof typed === 'string' ? `--${flag} ${typed}: ${problem}` : problem;
    });
    if (named.every((text, i) => text === problems[i])) throw error;
    throw new RequestInvalidError(`The deployment request is invalid: ${named.join('; ')}`, { hint: error.hint ?? 'Fix the flags named above', details: { problems: named, fields } });
  }
  return raw;
}
