/**
 * SDK clients are created once per service and region and reused across warm Lambda invocations. Each service
 * has its own small module (ec2.ts, ssm.ts, pricing.ts) so a handler's bundle carries only the SDKs it calls.
 * Endpoints come from the SDK's own configuration (`AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_<SERVICE>`), so an
 * emulator needs no code of ours. Retries are the state machine's job: `maxAttempts: 2` keeps one quick SDK
 * retry for network blips.
 */
const registry = new Map<string, unknown>();

export const SDK_MAX_ATTEMPTS = 2;

export function cachedClient<T>(service: string, region: string, create: () => T): T {
  const key = `${service}|${region}`;
  const existing = registry.get(key) as T | undefined;
  if (existing !== undefined) return existing;
  const client = create();
  registry.set(key, client);
  return client;
}

/** Forget cached clients (the local runner changes endpoints between runs). */
export function resetClients(): void {
  registry.clear();
}
