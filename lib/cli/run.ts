import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { GpuDeployError } from '../errors.js';
import { startLocalCloud, type LocalCloud } from '../local/cloud.js';
import type { Fault, HostSimulation } from '../local/standin.js';
import { parseRequest } from '../request.js';
import { SIM_FAULTS, type SimFault } from '../verify/fake-host.js';
import { ec2Client } from '../aws/ec2.js';
import { rollbackStep, type RollbackInput } from '../steps/rollback.js';
import { lifetimeOfResult } from '../lifetime/deadline.js';
import { HANDLERS } from '../workflow/handlers.js';
import { runLocally, type LocalRunResult } from '../workflow/local-runner.js';
import { accessCommands } from '../deployments/access.js';
import { readLocalCloudState, useLocalCloud } from '../local/cloud-state.js';
import { printJson, progressLine, type Io } from './output.js';
import { REQUEST_OPTION_SPEC, requestFromOptions } from './request-options.js';
import { profileForRun } from './run-profile.js';

export interface RunCommandOptions {
  request: Record<string, unknown>;
  local: boolean;
  json: boolean;
  /** Local only: the simulated host's fault, zones without capacity, an SSM agent that never comes online. */
  simulateHost?: string;
  simulateNoCapacity?: string[];
  simulateFailedStage?: string;
  simulateSsmOffline?: boolean;
  /** Stops the run like Ctrl-C does (for callers other than a terminal). */
  signal?: AbortSignal;
  /** How long each Wait state lasts (ms): short by default locally; against AWS only when given (an emulator). */
  waitMs?: number;
}

export interface RunSummary {
  status: 'SUCCEEDED' | 'FAILED';
  exitCode: number;
  document: Record<string, unknown>;
}

function hostSimulation(options: RunCommandOptions): HostSimulation {
  const host: HostSimulation = {};
  if (options.simulateHost) {
    if (!(SIM_FAULTS as readonly string[]).includes(options.simulateHost)) {
      throw new GpuDeployError(`Unknown --simulate-host ${options.simulateHost}`, { hint: `Use one of ${SIM_FAULTS.join(', ')}` });
    }
    host.fault = options.simulateHost as SimFault;
  }
  if (options.simulateFailedStage) host.failedStage = options.simulateFailedStage;
  if (options.simulateSsmOffline) host.agentOffline = true;
  return host;
}

function capacityFaults(zones: string[] | undefined): Fault[] {
  return (zones ?? []).map((zone) => ({ operation: 'ec2.RunInstances', code: 'InsufficientInstanceCapacity', status: 500, zones: [zone], message: `We currently do not have sufficient capacity in the Availability Zone you requested (${zone}). (simulated)` }));
}

function summarize(result: LocalRunResult, extra: Record<string, unknown>): Record<string, unknown> {
  if (result.status === 'SUCCEEDED') {
    return { ...(result.output as Record<string, unknown>), execution: { arn: result.executionArn, transitions: result.transitions, lambdaInvocations: result.lambdaInvocations, durationMs: result.durationMs }, ...extra };
  }
  return {
    status: 'FAILED',
    error: result.error,
    cause: result.cause,
    ...(result.rollback === undefined ? {} : { rollback: result.rollback }),
    execution: { arn: result.executionArn, transitions: result.transitions, lambdaInvocations: result.lambdaInvocations, durationMs: result.durationMs },
    ...extra,
  };
}

/**
 * `gpu-deploy run`: the deploy state machine in this process with the real handlers. `--local` starts the local
 * cloud first and checks afterwards that no instance is left running but the deployment's own.
 */
export async function runCommand(options: RunCommandOptions, io: Io): Promise<RunSummary> {
  // Validate before starting anything, so a bad request costs nothing (the state machine validates again).
  const request = parseRequest(options.request);
  const log = (line: string): void => io.err(`${line}\n`);
  let cloud: LocalCloud | undefined;
  // A running `gpu-deploy local-cloud` is deployed into (the instance stays, for connect/tunnel/exec --local).
  const sharedCloud = options.local && readLocalCloudState() ? useLocalCloud() : undefined;
  if (sharedCloud) log(`Deploying into the local cloud at ${sharedCloud.endpoint} (gpu-deploy local-cloud)`);
  else if (options.local) {
    log('Starting the local cloud (moto emulator + local stand-ins for SSM agent, Pricing and spot prices)...');
    cloud = await startLocalCloud({ region: request.region, host: hostSimulation(options), faults: capacityFaults(options.simulateNoCapacity), log });
    log(`Local cloud at ${cloud.endpoint} (moto at ${cloud.moto.endpoint})`);
  }
  // Its own local cloud stands in for the deployed stack, whose profile it seeds; anything else resolves one.
  const input = cloud ? options.request : { ...options.request, instanceProfile: (await profileForRun(request, log)).name };
  const interrupt = new AbortController();
  const onSigint = (): void => {
    log('Interrupted: stopping the run, then rolling back whatever it launched...');
    interrupt.abort();
  };
  process.once('SIGINT', onSigint);
  options.signal?.addEventListener('abort', () => interrupt.abort(), { once: true });
  try {
    log(`Deploying ${request.instanceType} in ${request.region} (${request.osType}, ${request.architecture}, ${request.amiType} DLAMI, market ${request.market})`);
    const executionName = `run-${randomUUID()}`;
    const result = await runLocally({
      input,
      handlers: HANDLERS,
      executionName,
      signal: interrupt.signal,
      // Locally the emulator answers at once: short waits. Against AWS the definition's own waits and backoff.
      ...(options.local ? { waitMs: options.waitMs ?? 100, retryMs: 50 } : options.waitMs !== undefined ? { waitMs: options.waitMs } : {}),
      onEvent: (event) => {
        const line = progressLine(event);
        if (line) io.err(line);
      },
    });
    if (interrupt.signal.aborted) {
      result.rollback = await rollBackInterrupted(executionName, request.region, options.local, log);
    }
    const extra: Record<string, unknown> = {};
    if (cloud) {
      const live = await cloud.liveInstances();
      const own = result.status === 'SUCCEEDED' ? String((result.output as { instanceId?: unknown }).instanceId ?? '') : '';
      extra.emulator = { liveInstances: live.length, strayInstances: live.filter((id) => id !== own) };
    }
    if (result.status === 'SUCCEEDED') {
      const id = String((result.output as { deploymentId?: unknown }).deploymentId ?? executionName);
      extra.access = cloud
        ? { ...accessCommands(id, request.region, { local: true }), note: 'this run\'s own local cloud stopped with it; start `gpu-deploy local-cloud` first to keep the instance' }
        : accessCommands(id, request.region, { local: sharedCloud !== undefined });
    }
    const document = summarize(result, extra);
    log(result.status === 'SUCCEEDED' ? `Deployment SUCCEEDED in ${result.durationMs} ms` : `Deployment FAILED: ${result.error}: ${result.cause}`);
    if (result.status === 'SUCCEEDED') log(`Lifetime: ${lifetimeOfResult(result.output).summary}`);
    printJson(io, document);
    return { status: result.status, exitCode: result.status === 'SUCCEEDED' ? 0 : 1, document };
  } finally {
    process.removeListener('SIGINT', onSigint);
    await cloud?.stop();
  }
}

/**
 * After Ctrl-C the state machine never reached its own Rollback: clean up by the deployment's tag here, until
 * nothing is left (bounded by the rollback deadline).
 */
async function rollBackInterrupted(deploymentId: string, region: string, local: boolean, log: (line: string) => void): Promise<unknown> {
  const doc: RollbackInput = { deploymentId, request: { region } };
  for (;;) {
    const status = await rollbackStep(doc, ec2Client(region));
    if (status.done) {
      log(`Rolled back: terminated ${status.terminatedInstances.join(', ') || 'nothing'}`);
      return status;
    }
    doc.rollback = { startedAt: status.startedAt };
    await new Promise((resolve) => setTimeout(resolve, local ? 100 : 10_000));
  }
}

/** `gpu-deploy run [request options] [--local | --aws] [--json] [simulation flags]`: the arguments, then runCommand. */
export async function runMain(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ...REQUEST_OPTION_SPEC,
      local: { type: 'boolean' },
      aws: { type: 'boolean' },
      json: { type: 'boolean' },
      'simulate-host': { type: 'string' },
      'simulate-no-capacity': { type: 'string' },
      'simulate-failed-stage': { type: 'string' },
      'simulate-ssm-offline': { type: 'boolean' },
      'wait-ms': { type: 'string' },
    },
    strict: true,
  });
  if (values.local && values.aws) throw new GpuDeployError('--local and --aws exclude each other', { hint: 'Pass one of them' });
  const summary = await runCommand(
    {
      request: requestFromOptions(values),
      local: !values.aws,
      json: values.json === true,
      ...(values['simulate-host'] ? { simulateHost: values['simulate-host'] } : {}),
      ...(values['simulate-no-capacity'] ? { simulateNoCapacity: values['simulate-no-capacity'].split(',').map((z) => z.trim()).filter(Boolean) } : {}),
      ...(values['simulate-failed-stage'] ? { simulateFailedStage: values['simulate-failed-stage'] } : {}),
      ...(values['simulate-ssm-offline'] ? { simulateSsmOffline: true } : {}),
      ...(values['wait-ms'] ? { waitMs: Number(values['wait-ms']) } : {}),
    },
    io,
  );
  return summary.exitCode;
}
