import { readLocalCloudState, useLocalCloud } from '../local/cloud-state.js';

/**
 * Runs `work` against the local cloud when `local` is set: the running `gpu-deploy local-cloud` where there is one
 * (as `run --local` deploys into it), else one started and stopped around `work`. Without `local`, against whatever
 * the AWS SDK is configured for (credentials, AWS_PROFILE, AWS_ENDPOINT_URL). The local cloud's own module (the
 * emulator, the stand-ins, the IAM client) is imported only when one must be started, so a command against AWS
 * never loads it.
 */
export async function withCloud<T>(local: boolean, region: string, log: (line: string) => void, work: () => Promise<T>): Promise<T> {
  if (!local) return work();
  if (readLocalCloudState()) {
    const running = useLocalCloud();
    log(`Using the running local cloud at ${running.endpoint}`);
    return work();
  }
  log('Starting the local cloud (moto emulator + local stand-ins)...');
  const { startLocalCloud } = await import('../local/cloud.js');
  const cloud = await startLocalCloud({ region, log });
  try {
    return await work();
  } finally {
    await cloud.stop();
  }
}
