import { randomUUID } from 'node:crypto';
import { GpuDeployError } from '../errors.js';
import { startLocalCloud, type LocalCloud } from '../local/cloud.js';
import type { Fault, HostSimulation } from '../local/standin.js';
import { parseRequest } from '../request.js';
import { SIM_FAULTS, type SimFault } from '../verify/fake-host.js';
import { HANDLERS } from '../workflow/handlers.js';
import { runLocally, type LocalRunResult } from '../workflow/local-runner.js';
import { printJson, progressLine, type Io } from './output.js';

export interface RunCommandOptions {
  request: Record<string, unknown>;
  local: boolean;
  json: boolean;
  /** Local only: the simulated host's fault, zones without capacity, an SSM agent that never comes online. */
  simulateHost?: string;
  simulateNoCapacity?: string[];
  simulateFailedStage?: string;
  simulateSsmOffline?: boolean;
  /** Local only: how long each Wait state lasts (ms). */
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
  if (options.local) {
    log('Starting the local cloud (moto emulator + local stand-ins for SSM agent, Pricing and spot prices)...');
    cloud = await startLocalCloud({ region: request.region, host: hostSimulation(options), faults: capacityFaults(options.simulateNoCapacity), log });
    log(`Local cloud at ${cloud.endpoint} (moto at ${cloud.moto.endpoint})`);
  }
  try {
    log(`Deploying ${request.instanceType} in ${request.region} (${request.osType}, ${request.architecture}, ${request.amiType} DLAMI, market ${request.market})`);
    const result = await runLocally({
      input: options.request,
      handlers: HANDLERS,
      executionName: `run-${randomUUID()}`,
      waitMs: options.local ? (options.waitMs ?? 100) : undefined,
      onEvent: (event) => {
        const line = progressLine(event);
        if (line) io.err(line);
      },
      ...(options.local ? { retryMs: 50 } : {}),
    } as Parameters<typeof runLocally>[0]);
    const extra: Record<string, unknown> = {};
    if (cloud) {
      const live = await cloud.liveInstances();
      const own = result.status === 'SUCCEEDED' ? String((result.output as { instanceId?: unknown }).instanceId ?? '') : '';
      extra.emulator = { liveInstances: live.length, strayInstances: live.filter((id) => id !== own) };
    }
    const document = summarize(result, extra);
    log(result.status === 'SUCCEEDED' ? `Deployment SUCCEEDED in ${result.durationMs} ms` : `Deployment FAILED: ${result.error}: ${result.cause}`);
    printJson(io, document);
    return { status: result.status, exitCode: result.status === 'SUCCEEDED' ? 0 : 1, document };
  } finally {
    await cloud?.stop();
  }
}
