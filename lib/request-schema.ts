/**
 * The deployment request, declared once in zod: its TypeScript type, its validation (each problem worded as
 * "FIELD must be WHAT (got VALUE)", see lib/request.ts) and its JSON Schema (examples/request.schema.json, written
 * by scripts/render-schema.ts). The state machine's input contract for the console, EventBridge, the API and
 * --config files.
 */
// Named imports, not the `z` namespace: esbuild can then leave zod's locales and unused schema types out of the
// bundles (the namespace keeps all of them, about 450 KiB).
import { boolean, enum as zEnum, literal, number as zNumber, record, strictObject, string, toJSONSchema, ZodObject, type output, type ZodRawShape } from 'zod';
import type { $ZodType } from 'zod/v4/core';
import {
  AMI_FALLBACKS,
  AMI_TYPES,
  ARCHITECTURES,
  DEFAULT_IDLE_GPU_UTILIZATION_PERCENT,
  IMAGE,
  INTERRUPTION_ACTIONS,
  INSTANCE_PROFILE,
  INSTANCE_TYPE,
  MARKETS,
  MAX_TOTAL_TIMEOUT_SECONDS,
  MODEL,
  NOT_RESERVED_TAG_KEY,
  OS_TYPES,
  preview,
  REGION,
  REQUEST_DEFAULTS,
  REQUEST_LIMITS,
  SUBNET,
  TAG_KEY,
  TAG_VALUE,
  VISIBLE_DEVICES,
  WORKSPACE_NAME,
} from './request-fields.js';

/** Where the generated schema is kept (written by `npx tsx scripts/render-schema.ts`; a test fails when stale). */
export const REQUEST_SCHEMA_PATH = 'examples/request.schema.json';

/** The dotted field name of an issue's path (`ollama.image`). */
const fieldOf = (path: readonly PropertyKey[]): string => path.map(String).join('.');

type Issue = { input?: unknown; path?: PropertyKey[] };
const got = (issue: Issue): string => ` (got ${preview(issue.input)})`;

/** A string that must match `pattern`; `what` says what it must be, as in "region must be an AWS region ...". */
const text = (pattern: RegExp, what: string) => {
  const error = (issue: Issue) => `${fieldOf(issue.path ?? [])} must be ${what}${got(issue)}`;
  return string({ error }).regex(pattern, { error });
};

/** One of `choices`. */
const oneOf = <T extends readonly [string, ...string[]]>(choices: T) =>
  zEnum(choices, { error: (issue: Issue) => `${fieldOf(issue.path ?? [])} must be one of ${choices.join(', ')}${got(issue)}` });

/** A number (or an integer) within [min, max], inclusive; `missing` is the message when a required one is absent. */
const bounded = ({ min, max }: { min: number; max: number }, integer: boolean, missing?: string) => {
  const error = (issue: Issue) =>
    missing !== undefined && issue.input === undefined
      ? missing
      : `${fieldOf(issue.path ?? [])} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}${got(issue)}`;
  const number = zNumber({ error });
  return (integer ? number.int({ error }) : number).min(min, { error }).max(max, { error });
};

/** An object of `shape` refusing other keys; `shapeHint` is the message when the value is not an object at all. */
const section = <S extends ZodRawShape>(shape: S, shapeHint: string) =>
  strictObject(shape, { error: (issue: { code?: string }) => (issue.code === 'invalid_type' ? shapeHint : undefined) });

const timeout = (field: keyof typeof REQUEST_DEFAULTS.timeouts) =>
  bounded(REQUEST_LIMITS.timeoutSeconds, true)
    .default(REQUEST_DEFAULTS.timeouts[field])
    .describe(`Deadline of the ${field} polling loop, in seconds`);

export const OllamaSchema = section(
  {
    enabled: boolean({ error: 'ollama.enabled must be true or false' }).default(REQUEST_DEFAULTS.ollama.enabled),
    image: text(IMAGE, 'a container image reference such as ollama/ollama:0.12.3').default(REQUEST_DEFAULTS.ollama.image),
    visibleDevices: text(VISIBLE_DEVICES, '"all" or GPU indexes like "0,1"').default(REQUEST_DEFAULTS.ollama.visibleDevices),
    maxVramMiB: bounded(REQUEST_LIMITS.maxVramMiB, true).optional().describe('VRAM Ollama may use per GPU, in MiB'),
    model: text(MODEL, 'an Ollama model name such as llama3.2:1b').optional().describe('A model to pull once the server is up, e.g. llama3.2:1b'),
  },
  'ollama must be an object like {"enabled": true, "model": "llama3.2:1b"}',
);

export const TimeoutsSchema = section(
  { runningSeconds: timeout('runningSeconds'), managedSeconds: timeout('managedSeconds'), verifySeconds: timeout('verifySeconds') },
  'timeouts must be an object with runningSeconds, managedSeconds, verifySeconds',
).refine((t) => t.runningSeconds + t.managedSeconds + t.verifySeconds <= MAX_TOTAL_TIMEOUT_SECONDS, {
  error: (issue: { input?: unknown }): string => {
    const t = issue.input as Record<'runningSeconds' | 'managedSeconds' | 'verifySeconds', number>;
    return `timeouts add up to ${t.runningSeconds + t.managedSeconds + t.verifySeconds}s; at most ${MAX_TOTAL_TIMEOUT_SECONDS}s, so rollback always fits inside the state machine's own 2-hour limit`;
  },
});

export const IdleTeardownSchema = section(
  {
    minutes: bounded(REQUEST_LIMITS.idleMinutes, true, 'idleTeardown.minutes is required (idle minutes before the instance is torn down)').describe(
      'Consecutive idle minutes before teardown',
    ),
    gpuUtilizationBelowPercent: bounded(REQUEST_LIMITS.gpuUtilizationBelowPercent, false)
      .default(DEFAULT_IDLE_GPU_UTILIZATION_PERCENT)
      .describe('A sample is idle when every GPU is below this utilization'),
  },
  'idleTeardown must be an object like {"minutes": 30, "gpuUtilizationBelowPercent": 5}',
);

export const WorkspaceSchema = section(
  {
    name: text(WORKSPACE_NAME, 'a workspace name: lowercase letters, digits and -, 1 to 63, starting with a letter or digit').describe(
      'The workspace (an EFS file system, found by this name or created) mounted at /workspace',
    ),
  },
  'workspace must be an object like {"name": "demo"}',
);

const TAG_RULE = 'letters, digits, spaces and _.:/=+@-';
const tagKey = (issue: Issue) => `tag key ${preview(issue.path?.at(-1))} is not allowed (${TAG_RULE} only; not aws: or gpu-deploy:)`;
const tagValue = (issue: Issue) => `tag ${String(issue.path?.at(-1))} must have a string value of ${TAG_RULE}${got(issue)}`;

export const TagsSchema = record(
  string().regex(TAG_KEY).regex(NOT_RESERVED_TAG_KEY),
  string({ error: tagValue }).regex(TAG_VALUE, { error: tagValue }),
  { error: (issue: Issue & { code?: string }) => (issue.code === 'invalid_key' ? tagKey(issue) : 'tags must be an object of string keys and values') },
)
  // Counted even when some tag is bad (`when`), so every problem is named at once.
  .refine((tags) => typeof tags !== 'object' || tags === null || Object.keys(tags).length <= REQUEST_LIMITS.tags, {
    error: `at most ${REQUEST_LIMITS.tags} tags may be given`,
    when: () => true,
  })
  .meta({ maxProperties: REQUEST_LIMITS.tags });

/** The request; the order of the fields is the order problems are reported in. */
export const RequestSchema = strictObject({
  schemaVersion: literal(1, { error: 'schemaVersion must be 1' }).optional().describe('The version of this contract'),
  instanceType: text(INSTANCE_TYPE, 'an EC2 instance type such as g5.xlarge')
    .default(REQUEST_DEFAULTS.instanceType)
    .describe('An NVIDIA GPU EC2 instance type (`gpu-deploy gpus` lists them)'),
  region: text(REGION, 'an AWS region such as us-east-1')
    .default(REQUEST_DEFAULTS.region)
    .describe(`Where to deploy. Default: the caller's AWS_REGION (the stack's region for the API and EventBridge), else ${REQUEST_DEFAULTS.region}`),
  osType: oneOf(OS_TYPES).default(REQUEST_DEFAULTS.osType).describe('Operating system of the DLAMI'),
  architecture: oneOf(ARCHITECTURES).default(REQUEST_DEFAULTS.architecture).describe('CPU architecture (g5g is arm64 only)'),
  amiType: oneOf(AMI_TYPES).default(REQUEST_DEFAULTS.amiType).describe('Deep Learning AMI family'),
  market: oneOf(MARKETS).default(REQUEST_DEFAULTS.market).describe('auto: spot first where it saves money, then on-demand; spot or on-demand only'),
  maxHourlyPrice: bounded(REQUEST_LIMITS.maxHourlyPrice, false).optional().describe('USD per hour cap for every launch attempt (and the spot max price)'),
  rootVolumeGiB: bounded(REQUEST_LIMITS.rootVolumeGiB, true).default(REQUEST_DEFAULTS.rootVolumeGiB).describe('Encrypted gp3 root volume size'),
  subnetId: text(SUBNET, 'a subnet id such as subnet-0123abcd').optional().describe("Launch into this subnet instead of the default VPC's subnet"),
  ollama: OllamaSchema.default(() => ({ ...REQUEST_DEFAULTS.ollama })).describe('The Ollama container started on the GPU'),
  timeouts: TimeoutsSchema.default(() => ({ ...REQUEST_DEFAULTS.timeouts })).describe(`Deadlines of the polling loops; together at most ${MAX_TOTAL_TIMEOUT_SECONDS} seconds`),
  tags: TagsSchema.default(() => ({})).describe('Extra tags on the instance and volume (not aws: or gpu-deploy: keys)'),
  onInterruption: oneOf(INTERRUPTION_ACTIONS)
    .optional()
    .meta({ default: INTERRUPTION_ACTIONS[0], description: 'On a spot interruption warning: notify (publish an event) or relaunch (also start the same request again)' }),
  instanceProfile: text(INSTANCE_PROFILE, 'an IAM instance profile name (letters, digits and +=,.@_-, up to 128)')
    .optional()
    .describe("IAM instance profile of the instance (SSM needs one). Default: the deployed stack's, else gpu-deploy-ssm (created when missing)"),
  maxLifetimeMinutes: bounded(REQUEST_LIMITS.maxLifetimeMinutes, true)
    .optional()
    .describe('Minutes from launch after which the deployment is torn down (a schedule, and a shutdown on the instance as the backstop). Default: no lifetime'),
  idleTeardown: IdleTeardownSchema.optional().describe(
    'Tear the instance down after this many consecutive idle minutes (GPUs below the threshold, no Ollama activity, no session open)',
  ),
  workspace: WorkspaceSchema.optional().describe(
    'A workspace that outlives every instance: an encrypted EFS file system mounted at /workspace (Ollama models, notebooks, data). Nothing automatic deletes it; `gpu-deploy workspace delete NAME` does',
  ),
  amiFallback: oneOf(AMI_FALLBACKS)
    .optional()
    .describe('When no DLAMI of amiType exists: standard (plain OS image plus driver install) or none (fail). Default: standard for base, none for framework types'),
}).meta({
  title: 'gpu-deploy deployment request',
  description:
    'The input of the gpu-deploy deploy state machine (schemaVersion 1): from the Step Functions console, the EventBridge detail of "GPU Deployment Requested", the body of POST /deployments, a --config file. Generated from lib/request-schema.ts by scripts/render-schema.ts.',
});

/** The request's top-level fields, and those of ollama and idleTeardown, as the declaration has them. */
export const KNOWN_FIELDS: ReadonlySet<string> = new Set(Object.keys(RequestSchema.shape));
export const OLLAMA_FIELDS: readonly string[] = Object.keys(OllamaSchema.shape);
export const IDLE_TEARDOWN_FIELDS: readonly string[] = Object.keys(IdleTeardownSchema.shape);

/** The objects inside the request whose unknown keys are named with the known ones. */
export const REQUEST_SECTIONS: Record<string, ZodObject> = { ollama: OllamaSchema, timeouts: TimeoutsSchema, idleTeardown: IdleTeardownSchema, workspace: WorkspaceSchema };

/** A deployment request after defaults are applied (schemaVersion is checked, not kept). */
export type ParsedRequest = Omit<output<typeof RequestSchema>, 'schemaVersion'>;

/**
 * The request's JSON Schema (draft-07), generated from the declaration above. It describes what callers send
 * (fields with defaults are optional); the one rule it cannot say is the sum of the timeouts, named in its
 * description.
 *
 * @example
 * const validate = new Ajv().compile(requestJsonSchema());
 * validate({ instanceType: 'g5.xlarge' }); // true
 */
export function requestJsonSchema(): Record<string, unknown> {
  return toJSONSchema(RequestSchema, {
    target: 'draft-7',
    io: 'input',
    override: (ctx) => {
      // The region's default depends on the caller (AWS_REGION, the stack's region), as its description says.
      if (ctx.zodSchema === RequestSchema.shape.region) delete ctx.jsonSchema.default;
    },
  }) as Record<string, unknown>;
}

/** The schema file's text: stable key order, two-space indent, trailing newline. */
export const renderRequestSchema = (): string => `${JSON.stringify(requestJsonSchema(), null, 2)}\n`;

/** A schema without its default/optional wrappers. */
function unwrap(schema: $ZodType | undefined): $ZodType | undefined {
  let inner = schema;
  while (inner && ['default', 'optional'].includes(inner._zod.def.type)) inner = (inner._zod.def as { innerType?: $ZodType }).innerType;
  return inner;
}

/** The schema of a dotted field (`idleTeardown.minutes`) without its default/optional wrappers; undefined if none. */
export function requestField(path: string): $ZodType | undefined {
  let schema: $ZodType | undefined = RequestSchema;
  for (const key of path.split('.')) {
    const object = unwrap(schema);
    schema = object instanceof ZodObject ? (object.shape as Record<string, $ZodType>)[key] : undefined;
  }
  return unwrap(schema);
}

/** Whether the declaration makes a field a number (so a CLI flag's text is read as one). */
export const isNumericField = (path: string): boolean => requestField(path)?._zod.def.type === 'number';
