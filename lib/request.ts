import { RequestInvalidError } from './errors.js';
import {
  AMI_FALLBACKS,
  AMI_TYPES,
  ARCHITECTURES,
  INTERRUPTION_ACTIONS,
  MARKETS,
  OS_TYPES,
  type DeploymentRequest,
  type IdleTeardown,
  type OllamaOptions,
  type Timeouts,
} from './types.js';
import { isRecord } from './guards.js';

/** Defaults of the request contract (schemaVersion 1). */
export const REQUEST_DEFAULTS = {
  instanceType: 'g5.xlarge',
  region: 'us-east-1',
  osType: 'ubuntu-22.04',
  architecture: 'x86_64',
  amiType: 'base',
  market: 'auto',
  rootVolumeGiB: 100,
  ollama: { enabled: true, image: 'ollama/ollama:latest', visibleDevices: 'all' },
  timeouts: { runningSeconds: 600, managedSeconds: 900, verifySeconds: 900 },
} as const satisfies Partial<DeploymentRequest>;

/**
 * The polling deadlines together stay well inside the state machine's TimeoutSeconds (7200): a run that hit that
 * limit would end without Rollback, so the request may not ask for it.
 */
export const MAX_TOTAL_TIMEOUT_SECONDS = 5400;

export const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
export const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
export const SUBNET = /^subnet-[0-9a-f]{8,17}$/;
export const IMAGE = /^[a-z0-9][a-z0-9._/:@-]{0,200}$/;
export const VISIBLE_DEVICES = /^(?:all|[0-9]{1,3}(?:,[0-9]{1,3}){0,63})$/;
export const MODEL = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$/;
export const TAG_KEY = /^[A-Za-z0-9 _.:/=+@-]{1,128}$/;
export const TAG_VALUE = /^[A-Za-z0-9 _.:/=+@-]{0,256}$/;
/** IAM's own rule for instance profile names. */
export const INSTANCE_PROFILE = /^[A-Za-z0-9+=,.@_-]{1,128}$/;

/** The top-level fields of a request (anything else is refused). */
export const KNOWN_FIELDS = new Set([
  'instanceType',
  'region',
  'osType',
  'architecture',
  'amiType',
  'market',
  'maxHourlyPrice',
  'rootVolumeGiB',
  'subnetId',
  'ollama',
  'timeouts',
  'tags',
  'onInterruption',
  'instanceProfile',
  'maxLifetimeMinutes',
  'idleTeardown',
  'amiFallback',
  'schemaVersion',
]);

/** Numeric bounds of the request, shared with the JSON Schema (lib/request-schema.ts). */
export const REQUEST_LIMITS = {
  rootVolumeGiB: { min: 8, max: 16384 },
  maxHourlyPrice: { min: 0.001, max: 1000 },
  maxVramMiB: { min: 1, max: 2_000_000 },
  timeoutSeconds: { min: 1, max: 3600 },
  tags: 40,
  // At least the default polling deadlines' worth, so a lifetime cannot end a deployment that is still verifying.
  maxLifetimeMinutes: { min: 15, max: 525_600 },
  idleMinutes: { min: 5, max: 10_080 },
  gpuUtilizationBelowPercent: { min: 0, max: 100 },
} as const;

/** The default idle threshold: below 5% GPU utilization a sample counts as idle. */
export const DEFAULT_IDLE_GPU_UTILIZATION_PERCENT = 5;

/** The fields of `idleTeardown`. */
export const IDLE_TEARDOWN_FIELDS = ['minutes', 'gpuUtilizationBelowPercent'] as const;

/** The fields of `ollama`. */
export const OLLAMA_FIELDS = ['enabled', 'image', 'visibleDevices', 'maxVramMiB', 'model'] as const;

/** Tag keys the request may not set: AWS's own and gpu-deploy's (rollback and teardown find resources by them). */
export const RESERVED_TAG_PREFIXES = ['aws:', 'gpu-deploy:'] as const;

type Problems = string[];


function pattern(problems: Problems, field: string, value: unknown, re: RegExp, what: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !re.test(value)) {
    problems.push(`${field} must be ${what} (got ${preview(value)})`);
    return undefined;
  }
  return value;
}

function oneOf<T extends string>(
  problems: Problems,
  field: string,
  value: unknown,
  choices: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    problems.push(`${field} must be one of ${choices.join(', ')} (got ${preview(value)})`);
    return undefined;
  }
  return value as T;
}

function number(
  problems: Problems,
  field: string,
  value: unknown,
  min: number,
  max: number,
  integer = false,
): number | undefined {
  if (value === undefined) return undefined;
  const ok = typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max;
  if (!ok || (integer && !Number.isInteger(value))) {
    problems.push(`${field} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max} (got ${preview(value)})`);
    return undefined;
  }
  return value;
}

/** A short, printable rendering of a bad value: never echo huge or control-character input back. */
export function preview(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(JSON.stringify(value) ?? value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function parseOllama(problems: Problems, value: unknown): OllamaOptions {
  const defaults = REQUEST_DEFAULTS.ollama;
  if (value === undefined) return { ...defaults };
  if (!isRecord(value)) {
    problems.push('ollama must be an object like {"enabled": true, "model": "llama3.2:1b"}');
    return { ...defaults };
  }
  for (const key of Object.keys(value)) {
    if (!(OLLAMA_FIELDS as readonly string[]).includes(key)) {
      problems.push(`ollama.${key} is not a known field (known: enabled, image, visibleDevices, maxVramMiB, model)`);
    }
  }
  if (value.enabled !== undefined && typeof value.enabled !== 'boolean') problems.push('ollama.enabled must be true or false');
  const options: OllamaOptions = {
    enabled: typeof value.enabled === 'boolean' ? value.enabled : defaults.enabled,
    image: pattern(problems, 'ollama.image', value.image, IMAGE, 'a container image reference such as ollama/ollama:0.12.3') ?? defaults.image,
    visibleDevices:
      pattern(problems, 'ollama.visibleDevices', value.visibleDevices, VISIBLE_DEVICES, '"all" or GPU indexes like "0,1"') ??
      defaults.visibleDevices,
  };
  const maxVram = number(problems, 'ollama.maxVramMiB', value.maxVramMiB, REQUEST_LIMITS.maxVramMiB.min, REQUEST_LIMITS.maxVramMiB.max, true);
  if (maxVram !== undefined) options.maxVramMiB = maxVram;
  const model = pattern(problems, 'ollama.model', value.model, MODEL, 'an Ollama model name such as llama3.2:1b');
  if (model !== undefined) options.model = model;
  return options;
}

function parseTimeouts(problems: Problems, value: unknown): Timeouts {
  const defaults = REQUEST_DEFAULTS.timeouts;
  if (value === undefined) return { ...defaults };
  if (!isRecord(value)) {
    problems.push('timeouts must be an object with runningSeconds, managedSeconds, verifySeconds');
    return { ...defaults };
  }
  const timeouts = {
    runningSeconds: number(problems, 'timeouts.runningSeconds', value.runningSeconds, REQUEST_LIMITS.timeoutSeconds.min, REQUEST_LIMITS.timeoutSeconds.max, true) ?? defaults.runningSeconds,
    managedSeconds: number(problems, 'timeouts.managedSeconds', value.managedSeconds, REQUEST_LIMITS.timeoutSeconds.min, REQUEST_LIMITS.timeoutSeconds.max, true) ?? defaults.managedSeconds,
    verifySeconds: number(problems, 'timeouts.verifySeconds', value.verifySeconds, REQUEST_LIMITS.timeoutSeconds.min, REQUEST_LIMITS.timeoutSeconds.max, true) ?? defaults.verifySeconds,
  };
  const total = timeouts.runningSeconds + timeouts.managedSeconds + timeouts.verifySeconds;
  if (total > MAX_TOTAL_TIMEOUT_SECONDS) {
    problems.push(
      `timeouts add up to ${total}s; at most ${MAX_TOTAL_TIMEOUT_SECONDS}s, so rollback always fits inside the state machine's own 2-hour limit`,
    );
  }
  return timeouts;
}

function parseIdleTeardown(problems: Problems, value: unknown): IdleTeardown | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value)) {
    problems.push('idleTeardown must be an object like {"minutes": 30, "gpuUtilizationBelowPercent": 5}');
    return undefined;
  }
  for (const key of Object.keys(value)) {
    if (!(IDLE_TEARDOWN_FIELDS as readonly string[]).includes(key)) {
      problems.push(`idleTeardown.${key} is not a known field (known: ${IDLE_TEARDOWN_FIELDS.join(', ')})`);
    }
  }
  if (value.minutes === undefined) problems.push('idleTeardown.minutes is required (idle minutes before the instance is torn down)');
  const { idleMinutes, gpuUtilizationBelowPercent: threshold } = REQUEST_LIMITS;
  const minutes = number(problems, 'idleTeardown.minutes', value.minutes, idleMinutes.min, idleMinutes.max, true);
  const below = number(problems, 'idleTeardown.gpuUtilizationBelowPercent', value.gpuUtilizationBelowPercent, threshold.min, threshold.max);
  if (minutes === undefined) return undefined;
  return { minutes, gpuUtilizationBelowPercent: below ?? DEFAULT_IDLE_GPU_UTILIZATION_PERCENT };
}

function parseTags(problems: Problems, value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (!isRecord(value)) {
    problems.push('tags must be an object of string keys and values');
    return {};
  }
  const tags: Record<string, string> = {};
  for (const [key, tagValue] of Object.entries(value)) {
    if (!TAG_KEY.test(key) || key.toLowerCase().startsWith('aws:') || key.startsWith('gpu-deploy:')) {
      problems.push(`tag key ${preview(key)} is not allowed (letters, digits, spaces and _.:/=+@- only; not aws: or gpu-deploy:)`);
    } else if (typeof tagValue !== 'string' || !TAG_VALUE.test(tagValue)) {
      problems.push(`tag ${key} must have a string value of letters, digits, spaces and _.:/=+@- (got ${preview(tagValue)})`);
    } else {
      tags[key] = tagValue;
    }
  }
  if (Object.keys(value).length > REQUEST_LIMITS.tags) problems.push(`at most ${REQUEST_LIMITS.tags} tags may be given`);
  return tags;
}

/**
 * Validates a raw request (from the console, EventBridge, the API, a config file or CLI flags) and applies the
 * defaults. Every problem is reported at once, each saying what to change.
 *
 * @example
 * parseRequest({ instanceType: 'g5.xlarge', region: 'eu-west-1', amiType: 'pytorch' });
 * @throws RequestInvalidError
 */
export function parseRequest(raw: unknown): DeploymentRequest {
  if (!isRecord(raw)) {
    throw new RequestInvalidError('The deployment request must be a JSON object', {
      hint: 'Send an object such as {"instanceType": "g5.xlarge", "region": "us-east-1"}',
    });
  }
  const problems: Problems = [];
  for (const key of Object.keys(raw)) {
    if (!KNOWN_FIELDS.has(key)) problems.push(`${preview(key)} is not a known field`);
  }
  if (raw.schemaVersion !== undefined && raw.schemaVersion !== 1) problems.push('schemaVersion must be 1');
  const instanceType = raw.instanceType === undefined ? REQUEST_DEFAULTS.instanceType : raw.instanceType;
  const request: DeploymentRequest = {
    instanceType:
      pattern(problems, 'instanceType', instanceType, INSTANCE_TYPE, 'an EC2 instance type such as g5.xlarge') ??
      (typeof instanceType === 'string' ? instanceType : (JSON.stringify(instanceType) ?? 'invalid')),
    region: pattern(problems, 'region', raw.region, REGION, 'an AWS region such as us-east-1') ?? REQUEST_DEFAULTS.region,
    osType: oneOf(problems, 'osType', raw.osType, OS_TYPES) ?? REQUEST_DEFAULTS.osType,
    architecture: oneOf(problems, 'architecture', raw.architecture, ARCHITECTURES) ?? REQUEST_DEFAULTS.architecture,
    amiType: oneOf(problems, 'amiType', raw.amiType, AMI_TYPES) ?? REQUEST_DEFAULTS.amiType,
    market: oneOf(problems, 'market', raw.market, MARKETS) ?? REQUEST_DEFAULTS.market,
    rootVolumeGiB: number(problems, 'rootVolumeGiB', raw.rootVolumeGiB, REQUEST_LIMITS.rootVolumeGiB.min, REQUEST_LIMITS.rootVolumeGiB.max, true) ?? REQUEST_DEFAULTS.rootVolumeGiB,
    ollama: parseOllama(problems, raw.ollama),
    timeouts: parseTimeouts(problems, raw.timeouts),
    tags: parseTags(problems, raw.tags),
  };
  const maxHourlyPrice = number(problems, 'maxHourlyPrice', raw.maxHourlyPrice, REQUEST_LIMITS.maxHourlyPrice.min, REQUEST_LIMITS.maxHourlyPrice.max);
  if (maxHourlyPrice !== undefined) request.maxHourlyPrice = maxHourlyPrice;
  const subnetId = pattern(problems, 'subnetId', raw.subnetId, SUBNET, 'a subnet id such as subnet-0123abcd');
  if (subnetId !== undefined) request.subnetId = subnetId;
  const onInterruption = oneOf(problems, 'onInterruption', raw.onInterruption, INTERRUPTION_ACTIONS);
  if (onInterruption !== undefined) request.onInterruption = onInterruption;
  const instanceProfile = pattern(problems, 'instanceProfile', raw.instanceProfile, INSTANCE_PROFILE, 'an IAM instance profile name (letters, digits and +=,.@_-, up to 128)');
  if (instanceProfile !== undefined) request.instanceProfile = instanceProfile;
  const { maxLifetimeMinutes: lifetime } = REQUEST_LIMITS;
  const maxLifetimeMinutes = number(problems, 'maxLifetimeMinutes', raw.maxLifetimeMinutes, lifetime.min, lifetime.max, true);
  if (maxLifetimeMinutes !== undefined) request.maxLifetimeMinutes = maxLifetimeMinutes;
  const idleTeardown = parseIdleTeardown(problems, raw.idleTeardown);
  if (idleTeardown !== undefined) request.idleTeardown = idleTeardown;
  const amiFallback = oneOf(problems, 'amiFallback', raw.amiFallback, AMI_FALLBACKS);
  if (amiFallback !== undefined) request.amiFallback = amiFallback;
  if (problems.length > 0) {
    throw new RequestInvalidError(`The deployment request is invalid: ${problems.join('; ')}`, {
      hint: 'Fix the fields named above; see examples/ for valid requests',
      details: { problems },
    });
  }
  return request;
}
