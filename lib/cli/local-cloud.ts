import { startLocalCloud } from '../local/cloud.js';
import { LOCAL_CREDENTIALS, localCloudStateFile, readLocalCloudState, removeLocalCloudState, writeLocalCloudState } from '../local/cloud-state.js';
import { GpuDeployError } from '../errors.js';
import { assertRegionExists } from '../aws/regions.js';
import { parseCommandArgs, stringValue } from './args.js';
import { commandSpec } from './commands.js';
import { printJson, type Io } from './output.js';

/**
 * `gpu-deploy local-cloud [--region R] [--json]`: the local cloud (moto + the local stand-ins) as a server that stays
 * up until Ctrl-C, so deployments made into it (`run --local`) can be reached with `connect`, `tunnel`, `exec`
 * and `list --local`, or by any AWS tool through the printed AWS_ENDPOINT_URL.
 */
export async function localCloudMain(args: string[], io: Io, signal?: AbortSignal): Promise<number> {
  const { values } = parseCommandArgs(commandSpec('local-cloud'), args);
  const region = stringValue(values, 'region') ?? process.env.AWS_REGION ?? 'us-east-1';
  await assertRegionExists(region, { flag: '--region', emulated: true });
  const running = readLocalCloudState();
  if (running) {
    throw new GpuDeployError(`A local cloud is already running at ${running.endpoint} (pid ${running.pid})`, { hint: 'Use it (--local), or stop it with Ctrl-C in its terminal first' });
  }
  const log = (line: string): void => io.err(`${line}\n`);
  log('Starting the local cloud (moto emulator + local stand-ins for SSM agent, Run Command, sessions, Pricing and spot prices)...');
  const cloud = await startLocalCloud({ region, log });
  const state = { endpoint: cloud.endpoint, region, pid: process.pid, startedAt: new Date().toISOString() };
  writeLocalCloudState(state);
  const env = { AWS_ENDPOINT_URL: cloud.endpoint, AWS_REGION: region, AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey };
  if (values.json) printJson(io, { status: 'RUNNING', ...state, moto: cloud.moto.endpoint, env, stateFile: localCloudStateFile() });
  else {
    io.out(`Local cloud at ${cloud.endpoint} (moto at ${cloud.moto.endpoint}), region ${region}\n`);
    io.out(`  Deploy into it:  npx gpu-deploy run --local\n  Reach it:        npx gpu-deploy list --local   (exec, tunnel, connect take --local too)\n`);
    io.out(`  Other AWS tools: export ${Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' ')}\n`);
    io.out('Ctrl-C stops it (and everything in it).\n');
  }
  try {
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.removeListener('SIGINT', stop);
        process.removeListener('SIGTERM', stop);
        resolve();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      signal?.addEventListener('abort', stop, { once: true });
    });
  } finally {
    removeLocalCloudState();
    await cloud.stop();
    log('Local cloud stopped');
  }
  return 0;
}
