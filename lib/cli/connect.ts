import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ec2Client } from '../aws/ec2.js';
import { ssmClient } from '../aws/ssm.js';
import { runningDeploymentInstance } from '../deployments/instance.js';
import { runIgnoringUserSignals, runPluginSession, startSession, terminateSession } from '../session/run-session.js';
import { fakeHostEnv } from '../verify/fake-host.js';
import { commandSpec } from './commands.js';
import { parseDay2 } from './day2-options.js';
import type { Io } from './output.js';

/**
 * The local stand-in for an interactive session: a shell on the simulated host (its fake nvidia-smi, docker and
 * curl first on PATH) in a scratch folder. Ends with the shell's status.
 */
export async function simulatedHostShell(log: (line: string) => void): Promise<number> {
  const scratch = mkdtempSync(join(tmpdir(), 'gpu-deploy-session-'));
  log('Local stand-in: a shell on the simulated GPU host (fake nvidia-smi, docker, curl on PATH), not a real SSM session. exit ends it.');
  try {
    return await runIgnoringUserSignals('bash', ['--norc', '--noprofile', '-i'], { ...fakeHostEnv(), HOME: scratch, PS1: 'simulated-host$ ', TERM: process.env.TERM ?? 'dumb' });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * `gpu-deploy connect ID [--region R] [--local | --aws]`: an interactive shell on the deployment's instance through
 * Session Manager (no inbound port, IAM-authorised, audited), with AWS's session-manager-plugin.
 */
export async function connectMain(args: string[], io: Io): Promise<number> {
  const { target } = await parseDay2(args, commandSpec('connect'));
  const instance = await runningDeploymentInstance(ec2Client(target.region), target.deploymentId, target.region);
  const ssm = ssmClient(target.region);
  const log = (line: string): void => io.err(`${line}\n`);
  log(`Connecting to ${instance.InstanceId} (${target.deploymentId}, ${target.region}) through Session Manager...`);
  if (!target.local) return runPluginSession({ ssm, region: target.region, request: { Target: instance.InstanceId }, log });
  const session = await startSession(ssm, { Target: instance.InstanceId });
  try {
    return await simulatedHostShell(log);
  } finally {
    await terminateSession(ssm, session.SessionId, log);
  }
}
