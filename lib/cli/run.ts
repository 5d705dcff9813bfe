import { randomUUID } from 'node:crypto';
import { assertRegionExists } from '../aws/regions.js';
import { startLocalCloud, type LocalCloud } from '../local/cloud.js';
import type { Fault, HostSimulation } from '../local/standin.js';
import { parseRequest } from '../request.js';
import { SIM_FAULTS, type SimFault } from '../verify/fake-host.js';
import { ec2Client } from '../aws/ec2.js';
import { rollbackStep, type RollbackInput } from '../steps/rollback.js';
import { lifetimeOfResult } from '../lifetime/deadline.js';
import { readDefinition } from '../workflow/definition.js';
import { HANDLERS } from '../workflow/handlers.js';
import { runLocally, type LocalRunResult } from '../workflow/local-runner.js';
import { pollLoops } from '../workflow/loops.js';
import { LOCAL_TIME_SCALE, REFERENCE_WAIT_MS, scaledTimeouts } from '../workflow/time-scale.js';
import { accessCommands } from '../deployments/access.js';
import { readLocalCloudState, useLocalCloud } from '../local/cloud-state.js';
import { parseCommandArgs, stringValue, usageError } from './args.js';
import { commandSpec, SIMULATED_STAGES } from './commands.js';
import { printJson, type Io } from './output.js';
import { duration, loopDeadlines, stderrProgress } from './progress.js';
import { requestFromFlags } from './request-options.js';
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
  /** How long a 10-second Wait lasts (ms), the others in proportion: 100 by default locally; against AWS only when given (an emulator). */
  waitMs?: number;
}

export interface RunSummary {
  status: 'SUCCEEDED' | 'FAILED';
  exitCode: number;
  document: Record<string, unknown>;
}

/** A simulation flag's value when it is one of `known`; a usage error listing them otherwise. */
function known<T extends string>(flag: string, value: string, values: readonly T[]): T {
  if (!(values as readonly string[]).includes(value)) throw usageError(`--${flag} ${JSON.stringify(value)} is not one the local cloud knows`, `Use one of ${values.join(', ')}`);
  return value as T;
}

function hostSimulation(options: RunCommandOptions): HostSimulation {
  const host: HostSimulation = {};
  if (options.simulateHost) host.fault = known<SimFault>('simulate-host', options.simulateHost, SIM_FAULTS);
  if (options.simulateFailedStage) host.failedStage = known('simulate-failed-stage', options.simulateFailedStage, SIMULATED_STAGES);
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
  await assertRegionExists(request.region, { emulated: options.local });
  const simulation = hostSimulation(options);
  const log = (line: string): void => io.err(`${line}\n`);
  let cloud: LocalCloud | undefined;
  // A running `gpu-deploy local-cloud` is deployed into (the instance stays, for connect/tunnel/exec --local).
  const sharedCloud = options.local && readLocalCloudState() ? useLocalCloud() : undefined;
  const simulating = Object.keys(simulation).length > 0 || (options.simulateNoCapacity ?? []).length > 0;
  if (simulating && (!options.local || sharedCloud)) {
    throw usageError('--simulate-* flags play faults in the local cloud a run starts for itself', sharedCloud ? 'A gpu-deploy local-cloud is running: stop it to simulate, or drop the --simulate-* flags' : 'Pass --local (not --aws)');
  }
  if (sharedCloud) log(`Deploying into the local cloud at ${sharedCloud.endpoint} (gpu-deploy local-cloud)`);
  else if (options.local) {
    log('Starting the local cloud (moto emulator + local stand-ins for SSM agent, Pricing and spot prices)...');
    cloud = await startLocalCloud({ region: request.region, host: simulation, faults: capacityFaults(options.simulateNoCapacity), log });
    log(`Local cloud at ${cloud.endpoint} (moto at ${cloud.moto.endpoint})`);
  }
  // Its own local cloud stands in for the deployed stack, whose profile it seeds; anything else resolves one.
  const profiled = cloud ? options.request : { ...options.request, instanceProfile: (await profileForRun(request, log)).name };
  // Locally, the waits and the request's deadlines shrink by one factor (time-scale.ts); --wait-ms sets it.
  const scale = options.waitMs !== undefined ? options.waitMs / REFERENCE_WAIT_MS : options.local ? LOCAL_TIME_SCALE : undefined;
  const timeouts = options.local && scale !== undefined ? scaledTimeouts(request.timeouts, scale) : request.timeouts;
  const input = options.local ? { ...profiled, timeouts } : profiled;
  if (options.local && scale !== undefined) {
    log(`Local time: waits and deadlines at 1/${Math.round(1 / scale)} of the cloud's (deadlines: running within ${duration(timeouts.runningSeconds)} of launch, SSM online within ${duration(timeouts.runningSeconds + timeouts.managedSeconds)} of it, GPU verified within ${duration(timeouts.verifySeconds)})`);
  }
  const definition = readDefinition();
  const progress = stderrProgress(io, pollLoops(definition), loopDeadlines(timeouts));
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
      definition,
      handlers: HANDLERS,
      executionName,
      signal: interrupt.signal,
      // Locally the emulator answers at once: short waits. Against AWS the definition's own waits and backoff.
      ...(scale === undefined ? {} : { waitScale: scale }),
      ...(options.local ? { retryMs: 50 } : {}),
      onEvent: progress.onEvent,
    });
    progress.finish();
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
        ? { ...accessCommands(id, request.region, { via: 'local' }), note: 'this run\'s own local cloud stopped with it; start `gpu-deploy local-cloud` first to keep the instance' }
        : accessCommands(id, request.region, { via: sharedCloud ? 'local' : 'aws' });
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
  const { values } = parseCommandArgs(commandSpec('run'), args);
  const waitMs = stringValue(values, 'wait-ms');
  if (waitMs !== undefined && !(Number(waitMs) > 0)) throw usageError(`--wait-ms must be a positive number of milliseconds (got ${JSON.stringify(waitMs)})`);
  const simulateHost = stringValue(values, 'simulate-host');
  const simulateNoCapacity = stringValue(values, 'simulate-no-capacity');
  const simulateFailedStage = stringValue(values, 'simulate-failed-stage');
  const summary = await runCommand(
    {
      request: requestFromFlags(values),
      local: values.aws !== true,
      json: values.json === true,
      ...(simulateHost ? { simulateHost } : {}),
      ...(simulateNoCapacity ? { simulateNoCapacity: simulateNoCapacity.split(',').map((z) => z.trim()).filter(Boolean) } : {}),
      ...(simulateFailedStage ? { simulateFailedStage } : {}),
      ...(values['simulate-ssm-offline'] ? { simulateSsmOffline: true } : {}),
      ...(waitMs ? { waitMs: Number(waitMs) } : {}),
    },
    io,
  );
  return summary.exitCode;
}
