import {
  DEFAULT_IDLE_GPU_UTILIZATION_PERCENT,
  IDLE_TEARDOWN_FIELDS,
  IMAGE,
  INSTANCE_PROFILE,
  INSTANCE_TYPE,
  KNOWN_FIELDS,
  MAX_TOTAL_TIMEOUT_SECONDS,
  MODEL,
  OLLAMA_FIELDS,
  REGION,
  REQUEST_DEFAULTS,
  REQUEST_LIMITS,
  SUBNET,
  TAG_KEY,
  TAG_VALUE,
  VISIBLE_DEVICES,
} from './request.js';
import { AMI_FALLBACKS, AMI_TYPES, ARCHITECTURES, INTERRUPTION_ACTIONS, MARKETS, OS_TYPES } from './types.js';

/** Where the generated schema is kept (written by `npx tsx scripts/render-schema.ts`; a test fails when stale). */
export const REQUEST_SCHEMA_PATH = 'examples/request.schema.json';

type JsonSchema = Record<string, unknown>;

const integer = (min: number, max: number, description: string, def?: number): JsonSchema => ({
  type: 'integer',
  minimum: min,
  maximum: max,
  description,
  ...(def === undefined ? {} : { default: def }),
});

/**
 * Reserved tag-key prefixes as a JSON Schema `pattern` (a negative lookahead): `aws:` in any case, `gpu-deploy:`
 * exactly, as parseRequest refuses them.
 */
const NOT_RESERVED_TAG_KEY = '^(?![aA][wW][sS]:)(?!gpu-deploy:)';

/**
 * The deployment request's JSON Schema (draft-07), built from the constants parseRequest (lib/request.ts) checks
 * with, so the two cannot drift: the same fields, enums, patterns, bounds and defaults. It is the state machine's
 * input contract for the console, EventBridge and the API. parseRequest also checks one thing a schema cannot
 * say: the three timeouts together stay within MAX_TOTAL_TIMEOUT_SECONDS.
 *
 * @example
 * const validate = new Ajv().compile(requestJsonSchema());
 * validate({ instanceType: 'g5.xlarge' }); // true
 */
export function requestJsonSchema(): JsonSchema {
  const timeout = (field: string): JsonSchema =>
    integer(
      REQUEST_LIMITS.timeoutSeconds.min,
      REQUEST_LIMITS.timeoutSeconds.max,
      `Deadline of the ${field} polling loop, in seconds`,
      REQUEST_DEFAULTS.timeouts[field as keyof typeof REQUEST_DEFAULTS.timeouts],
    );
  const properties: Record<string, JsonSchema> = {
    schemaVersion: { const: 1, description: 'The version of this contract' },
    instanceType: {
      type: 'string',
      pattern: INSTANCE_TYPE.source,
      default: REQUEST_DEFAULTS.instanceType,
      description: 'An NVIDIA GPU EC2 instance type (`gpu-deploy gpus` lists them)',
    },
    region: {
      type: 'string',
      pattern: REGION.source,
      description: `Where to deploy. Default: the caller's AWS_REGION (the stack's region for the API and EventBridge), else ${REQUEST_DEFAULTS.region}`,
    },
    osType: { enum: [...OS_TYPES], default: REQUEST_DEFAULTS.osType, description: 'Operating system of the DLAMI' },
    architecture: { enum: [...ARCHITECTURES], default: REQUEST_DEFAULTS.architecture, description: 'CPU architecture (g5g is arm64 only)' },
    amiType: { enum: [...AMI_TYPES], default: REQUEST_DEFAULTS.amiType, description: 'Deep Learning AMI family' },
    market: {
      enum: [...MARKETS],
      default: REQUEST_DEFAULTS.market,
      description: 'auto: spot first where it saves money, then on-demand; spot or on-demand only',
    },
    maxHourlyPrice: {
      type: 'number',
      minimum: REQUEST_LIMITS.maxHourlyPrice.min,
      maximum: REQUEST_LIMITS.maxHourlyPrice.max,
      description: 'USD per hour cap for every launch attempt (and the spot max price)',
    },
    rootVolumeGiB: integer(REQUEST_LIMITS.rootVolumeGiB.min, REQUEST_LIMITS.rootVolumeGiB.max, 'Encrypted gp3 root volume size', REQUEST_DEFAULTS.rootVolumeGiB),
    subnetId: { type: 'string', pattern: SUBNET.source, description: "Launch into this subnet instead of the default VPC's subnet" },
    ollama: {
      type: 'object',
      additionalProperties: false,
      description: 'The Ollama container started on the GPU',
      default: { ...REQUEST_DEFAULTS.ollama },
      properties: {
        enabled: { type: 'boolean', default: REQUEST_DEFAULTS.ollama.enabled },
        image: { type: 'string', pattern: IMAGE.source, default: REQUEST_DEFAULTS.ollama.image },
        visibleDevices: { type: 'string', pattern: VISIBLE_DEVICES.source, default: REQUEST_DEFAULTS.ollama.visibleDevices },
        maxVramMiB: integer(REQUEST_LIMITS.maxVramMiB.min, REQUEST_LIMITS.maxVramMiB.max, 'VRAM Ollama may use per GPU, in MiB'),
        model: { type: 'string', pattern: MODEL.source, description: 'A model to pull once the server is up, e.g. llama3.2:1b' },
      },
    },
    timeouts: {
      type: 'object',
      additionalProperties: false,
      description: `Deadlines of the polling loops; together at most ${MAX_TOTAL_TIMEOUT_SECONDS} seconds`,
      default: { ...REQUEST_DEFAULTS.timeouts },
      properties: { runningSeconds: timeout('runningSeconds'), managedSeconds: timeout('managedSeconds'), verifySeconds: timeout('verifySeconds') },
    },
    tags: {
      type: 'object',
      description: 'Extra tags on the instance and volume (not aws: or gpu-deploy: keys)',
      default: {},
      maxProperties: REQUEST_LIMITS.tags,
      propertyNames: { allOf: [{ pattern: TAG_KEY.source }, { pattern: NOT_RESERVED_TAG_KEY }] },
      additionalProperties: { type: 'string', pattern: TAG_VALUE.source },
    },
    onInterruption: {
      enum: [...INTERRUPTION_ACTIONS],
      default: INTERRUPTION_ACTIONS[0],
      description: 'On a spot interruption warning: notify (publish an event) or relaunch (also start the same request again)',
    },
    instanceProfile: {
      type: 'string',
      pattern: INSTANCE_PROFILE.source,
      description: "IAM instance profile of the instance (SSM needs one). Default: the deployed stack's, else gpu-deploy-ssm (created when missing)",
    },
    maxLifetimeMinutes: integer(
      REQUEST_LIMITS.maxLifetimeMinutes.min,
      REQUEST_LIMITS.maxLifetimeMinutes.max,
      'Minutes from launch after which the deployment is torn down (a schedule, and a shutdown on the instance as the backstop). Default: no lifetime',
    ),
    idleTeardown: {
      type: 'object',
      additionalProperties: false,
      required: ['minutes'],
      description: 'Tear the instance down after this many consecutive idle minutes (GPUs below the threshold, no Ollama activity, no session open)',
      properties: {
        minutes: integer(REQUEST_LIMITS.idleMinutes.min, REQUEST_LIMITS.idleMinutes.max, 'Consecutive idle minutes before teardown'),
        gpuUtilizationBelowPercent: {
          type: 'number',
          minimum: REQUEST_LIMITS.gpuUtilizationBelowPercent.min,
          maximum: REQUEST_LIMITS.gpuUtilizationBelowPercent.max,
          default: DEFAULT_IDLE_GPU_UTILIZATION_PERCENT,
          description: 'A sample is idle when every GPU is below this utilization',
        },
      },
    },
    amiFallback: {
      enum: [...AMI_FALLBACKS],
      description: 'When no DLAMI of amiType exists: standard (plain OS image plus driver install) or none (fail). Default: standard for base, none for framework types',
    },
  };
  const missing = [...KNOWN_FIELDS].filter((field) => !(field in properties));
  if (missing.length > 0) throw new Error(`request schema lacks ${missing.join(', ')}`);
  // Keep every ollama field parseRequest knows.
  const ollamaProps = Object.keys((properties.ollama as { properties: JsonSchema }).properties);
  if (OLLAMA_FIELDS.some((field) => !ollamaProps.includes(field))) throw new Error('request schema lacks an ollama field');
  const idleProps = Object.keys((properties.idleTeardown as { properties: JsonSchema }).properties);
  if (IDLE_TEARDOWN_FIELDS.some((field) => !idleProps.includes(field))) throw new Error('request schema lacks an idleTeardown field');
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'gpu-deploy deployment request',
    description:
      'The input of the gpu-deploy deploy state machine (schemaVersion 1): from the Step Functions console, the EventBridge detail of "GPU Deployment Requested", the body of POST /deployments, a --config file. Generated from lib/request.ts by scripts/render-schema.ts.',
    type: 'object',
    additionalProperties: false,
    properties,
  };
}

/** The schema file's text: stable key order, two-space indent, trailing newline. */
export const renderRequestSchema = (): string => `${JSON.stringify(requestJsonSchema(), null, 2)}\n`;
