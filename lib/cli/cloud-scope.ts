/**
 * Runs `work` against the local cloud (started and stopped around it) when `local` is set, else against whatever
 * the AWS SDK is configured for (credentials, AWS_PROFILE, AWS_ENDPOINT_URL). The local cloud's module (the
 * emulator, the stand-ins, the IAM client) is imported only for --local, so a command against AWS never loads it.
 */
export async function withCloud<T>(local: boolean, region: string, log: (line: string) => void, work: () => Promise<T>): Promise<T> {
  if (!local) return work();
  log('Starting the local cloud (moto emulator + local stand-ins)...');
  const { startLocalCloud } = await import('../local/cloud.js');
  const cloud = await startLocalCloud({ region, log });
  try {
    return await work();
  } finally {
    await cloud.stop();
  }
}
