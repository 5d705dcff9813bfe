/**
 * Stub Lambdas for running the real deploy ASL through the real local runner: plain async functions keyed by the
 * function names the ASL and serverless.yml use. Each stub records the input it got and answers from a script:
 * a list of steps (a value to return, or an error to throw), the last step repeating.
 */
import type { AslDefinition } from '../../lib/workflow/definition.js';
import type { LambdaHandler } from '../../lib/workflow/handlers.js';
import { runLocally, type LocalRunResult, type ProgressEvent } from '../../lib/workflow/local-runner.js';

export const FUNCTION_NAMES = [
  'validateRequest',
  'resolveAmi',
  'planCapacity',
  'ensureWorkspace',
  'launch',
  'checkRunning',
  'checkMountTarget',
  'checkManaged',
  'verifyGpu',
  'getGpuReport',
  'rollback',
  'scheduleTeardown',
  'notify',
] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

/** One answer of a stub: a value, an error to throw, or a function of the input. */
export type Step = unknown;
type Doc = Record<string, unknown>;

export const REQUEST = { instanceType: 'g5.xlarge', region: 'eu-west-1', market: 'auto' } as const;

/** What each step adds to the working document (the value the stub returns). */
export const OUTPUTS = {
  ami: { imageId: 'ami-0123456789abcdef0', name: 'Deep Learning Base OSS Nvidia Driver GPU AMI (Ubuntu 22.04) 20250101', source: 'ssm-parameter', architecture: 'x86_64', creationDate: '2025-01-01T00:00:00.000Z', needsDriver: false, warnings: [] },
  plan: { attempts: [{ zone: 'eu-west-1a', market: 'spot', instanceType: 'g5.xlarge' }, { zone: 'eu-west-1a', market: 'on-demand', instanceType: 'g5.xlarge' }], prices: {}, estimates: {}, notes: [] },
  launch: {
    instanceId: 'i-0abc1234def567890',
    instanceType: 'g5.xlarge',
    zone: 'eu-west-1a',
    market: 'spot',
    attempts: [{ zone: 'eu-west-1a', market: 'spot', outcome: 'launched' }],
    estimate: { usdPerHour: 0.4, usdPerMonth: 292, market: 'spot' },
    expiresAt: null,
    idleTeardown: null,
    workspace: null,
  },
  report: { healthy: true, host: { gpus: 1, model: 'NVIDIA A10G' }, docker: { ok: true }, ollama: { ok: true } },
  workspace: {
    name: 'ws1',
    fileSystemId: 'fs-0abc1234',
    fileSystemState: 'available',
    created: true,
    size: { totalBytes: 6144, standardBytes: 6144, iaBytes: 0, archiveBytes: 0 },
    vpcId: 'vpc-1',
    clientGroupId: 'sg-client',
    mountTargetGroupId: 'sg-mount',
    mountTargets: { 'eu-west-1a': { mountTargetId: 'fsmt-0abc1234', subnetId: 'subnet-a', state: 'creating' } },
    ready: true,
    since: '2025-01-01T00:00:00.000Z',
  },
} as const;

export const DEPLOYMENT_ID = 'gd-wf-test';

const validated = (event: Doc): Doc => ({
  deploymentId: DEPLOYMENT_ID,
  execution: event.execution,
  request: event.request,
  instanceType: { name: 'g5.xlarge', gpu: { manufacturer: 'NVIDIA', name: 'A10G', count: 1 } },
  zones: ['eu-west-1a', 'eu-west-1b'],
});

/** Scripts for a deployment that succeeds at once (no polling repeats). */
export function happyScripts(): Record<FunctionName, Step[]> {
  return {
    validateRequest: [validated],
    resolveAmi: [OUTPUTS.ami],
    planCapacity: [OUTPUTS.plan],
    ensureWorkspace: [OUTPUTS.workspace],
    launch: [OUTPUTS.launch],
    checkRunning: [{ state: 'running' }],
    checkMountTarget: [{ zone: 'eu-west-1a', mountTargetId: 'fsmt-0abc1234', state: 'available', available: true }],
    checkManaged: [{ online: true }],
    verifyGpu: [{ commandId: 'cmd-1', sentAt: '2025-01-01T00:00:00.000Z', status: 'pending' }],
    getGpuReport: [{ commandId: 'cmd-1', sentAt: '2025-01-01T00:00:00.000Z', status: 'done', report: OUTPUTS.report, workspace: null }],
    rollback: [{ done: true, remainingInstances: [], remainingSecurityGroups: [], startedAt: '2025-01-01T00:00:00.000Z' }],
    scheduleTeardown: [{ expiresAt: null, idleTeardown: null, summary: 'no lifetime: runs until you tear it down', schedule: null }],
    notify: [{ eventId: 'evt-1', detailType: 'GPU Deployment Succeeded' }],
  };
}

export interface Stubs {
  handlers: Record<string, LambdaHandler>;
  /** The input of every invocation, per function, in order. */
  calls: Record<FunctionName, Doc[]>;
}

export function makeStubs(overrides: Partial<Record<FunctionName, Step[]>> = {}): Stubs {
  const scripts = { ...happyScripts(), ...overrides };
  const calls = Object.fromEntries(FUNCTION_NAMES.map((name) => [name, [] as Doc[]])) as Record<FunctionName, Doc[]>;
  const handlers: Record<string, LambdaHandler> = {};
  for (const name of FUNCTION_NAMES) {
    const steps = scripts[name];
    const stub = async (event: Doc): Promise<unknown> => {
      calls[name].push(structuredClone(event));
      const step = steps[Math.min(calls[name].length - 1, steps.length - 1)];
      if (step instanceof Error) throw step;
      return typeof step === 'function' ? (step as (input: Doc) => unknown)(event) : structuredClone(step);
    };
    handlers[name] = stub as unknown as LambdaHandler;
  }
  return { handlers, calls };
}

export interface Run {
  result: LocalRunResult;
  events: ProgressEvent[];
  /** The states entered, in order. */
  entered: string[];
  calls: Record<FunctionName, Doc[]>;
}

/**
 * Runs the real statemachines/deploy.asl.json (or another definition, with its own input) with the stubs; no
 * waits, no retry backoff.
 */
export async function runWithStubs(
  overrides: Partial<Record<FunctionName, Step[]>> = {},
  executionName?: string,
  other?: { definition: AslDefinition; input: unknown; stateMachineName?: string },
): Promise<Run> {
  const { handlers, calls } = makeStubs(overrides);
  const events: ProgressEvent[] = [];
  const result = await runLocally({
    input: other?.input ?? REQUEST,
    ...(other ? { definition: other.definition } : {}),
    ...(other?.stateMachineName ? { stateMachineName: other.stateMachineName } : {}),
    handlers,
    waitMs: 0,
    retryMs: 0,
    ...(executionName === undefined ? {} : { executionName }),
    onEvent: (event) => events.push(event),
  });
  const entered = events.filter((event) => event.kind === 'entered').map((event) => event.state);
  return { result, events, entered, calls };
}

/** Counts of invocations per function, for compact assertions. */
export const invocationCounts = (calls: Record<FunctionName, Doc[]>): Record<FunctionName, number> =>
  Object.fromEntries(FUNCTION_NAMES.map((name) => [name, calls[name].length])) as Record<FunctionName, number>;
