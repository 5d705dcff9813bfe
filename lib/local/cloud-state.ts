import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { resetClients } from '../aws/clients.js';
import { LocalCloudNotRunningError } from '../errors.js';
import { isRecord } from '../guards.js';
import { repoRoot } from './paths.js';

/** Where `gpu-deploy local-cloud` says where it listens, so `--local` on the day-2 commands finds it. */
export interface LocalCloudState {
  endpoint: string;
  region: string;
  pid: number;
  startedAt: string;
}

/** The moto emulator accepts any key; these name it as local. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export const localCloudStateFile = (): string => process.env.GPU_DEPLOY_LOCAL_CLOUD_FILE ?? join(repoRoot(), '.gpu-deploy', 'local-cloud.json');

export function writeLocalCloudState(state: LocalCloudState): void {
  const file = localCloudStateFile();
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`);
}

export function removeLocalCloudState(pid: number = process.pid): void {
  const state = readLocalCloudState();
  if (state?.pid === pid) rmSync(localCloudStateFile(), { force: true });
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The running local cloud's state; undefined when none was started or its process has gone. */
export function readLocalCloudState(): LocalCloudState | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(localCloudStateFile(), 'utf8'));
  } catch {
    return undefined;
  }
  if (!isRecord(parsed) || typeof parsed.endpoint !== 'string' || typeof parsed.region !== 'string' || typeof parsed.pid !== 'number') return undefined;
  if (!alive(parsed.pid)) return undefined;
  return { endpoint: parsed.endpoint, region: parsed.region, pid: parsed.pid, startedAt: String(parsed.startedAt ?? '') };
}

/**
 * Points this process's AWS SDK at the running local cloud (`AWS_ENDPOINT_URL`, local credentials, no profile).
 *
 * @throws LocalCloudNotRunningError when no `gpu-deploy local-cloud` is running
 */
export function useLocalCloud(): LocalCloudState {
  const state = readLocalCloudState();
  if (!state) {
    throw new LocalCloudNotRunningError('No local cloud is running', {
      hint: 'Start one in another terminal: npx gpu-deploy local-cloud, then deploy into it: npx gpu-deploy run --local',
      details: { stateFile: localCloudStateFile() },
    });
  }
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
  Object.assign(process.env, { AWS_ENDPOINT_URL: state.endpoint, AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey });
  resetClients();
  return state;
}
