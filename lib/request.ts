import type { $ZodIssue } from 'zod/v4/core';
import { RequestInvalidError } from './errors.js';
import { isRecord } from './guards.js';
import { preview } from './request-fields.js';
import { REQUEST_SECTIONS, RequestSchema } from './request-schema.js';
import type { DeploymentRequest } from './types.js';

// The contract's values live in request-fields.ts, its field lists in request-schema.ts; they are re-exported for the
// modules that import them from here.
export { IDLE_TEARDOWN_FIELDS, KNOWN_FIELDS, OLLAMA_FIELDS } from './request-schema.js';
export {
  DEFAULT_IDLE_GPU_UTILIZATION_PERCENT,
  IMAGE,
  INSTANCE_PROFILE,
  INSTANCE_TYPE,
  MAX_TOTAL_TIMEOUT_SECONDS,
  MODEL,
  preview,
  REGION,
  REQUEST_DEFAULTS,
  REQUEST_LIMITS,
  RESERVED_TAG_PREFIXES,
  SUBNET,
  TAG_KEY,
  TAG_VALUE,
  VISIBLE_DEVICES,
  WORKSPACE_NAME,
} from './request-fields.js';

/** An unknown key, named with the known ones when it sits inside ollama, timeouts or idleTeardown. */
function unknownKeyProblem(path: readonly PropertyKey[], key: string): string {
  if (path.length === 0) return `${preview(key)} is not a known field`;
  const section = path.map(String).join('.');
  const known = Object.keys(REQUEST_SECTIONS[section]?.shape ?? {});
  return `${section}.${key} is not a known field${known.length > 0 ? ` (known: ${known.join(', ')})` : ''}`;
}

/** One problem of a request and the dotted field it is about (`maxLifetimeMinutes`, `ollama.image`). */
interface RequestProblem {
  field: string;
  problem: string;
}

function problemsOf(issues: readonly $ZodIssue[]): RequestProblem[] {
  const unknown = issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys' ? issue.keys.map((key) => ({ field: [...issue.path.map(String), key].join('.'), problem: unknownKeyProblem(issue.path, key) })) : [],
  );
  const seen = new Set<string>();
  const problems: RequestProblem[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') continue;
    const field = JSON.stringify(issue.path);
    if (seen.has(field)) continue;
    seen.add(field);
    problems.push({ field: issue.path.map(String).join('.'), problem: issue.message });
  }
  return [...unknown, ...problems];
}

/**
 * zod's issues as the request's problems: one per field (a value failing several checks is named once), unknown
 * keys one by one and first, as every problem said "FIELD must be WHAT (got VALUE)" before zod.
 */
export function requestProblems(issues: readonly $ZodIssue[]): string[] {
  return problemsOf(issues).map((p) => p.problem);
}

/**
 * Validates a raw request (from the console, EventBridge, the API, a config file or CLI flags) against the one
 * declaration (lib/request-schema.ts) and applies the defaults. Every problem is reported at once, each saying what
 * to change.
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
  const parsed = RequestSchema.safeParse(raw);
  if (!parsed.success) {
    const found = problemsOf(parsed.error.issues);
    const problems = found.map((p) => p.problem);
    throw new RequestInvalidError(`The deployment request is invalid: ${problems.join('; ')}`, {
      hint: 'Fix the fields named above; see examples/ for valid requests',
      // `fields[i]` is what `problems[i]` is about: the CLI names the flag that set it.
      details: { problems, fields: found.map((p) => p.field) },
    });
  }
  const { schemaVersion: _version, ...request } = parsed.data;
  return request;
}
