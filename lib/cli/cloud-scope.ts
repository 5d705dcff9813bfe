import { startLocalCloud } from '../local/cloud.js';

/**
 * Runs `work` against the local cloud (started and stopped around it) when `local` is set, else against whatever
 * the AWS SDK is configured for (credentials, AWS_PROFILE, AWS_ENDPOINT_URL).
 */
export async function withCloud<T>(local: boolean, region: string, log: (line: string) => void, work: () => Promise<T>): Promise<T> {
  if (!local) return work();
  log('Starting the local cloud (moto emulator + local stand-ins)...');
  const cloud = await startLocalCloud({ region, log });
  try {
    return await work();
  } finally {
    await cloud.stop();
  }
}
