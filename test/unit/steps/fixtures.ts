/** Small factories of the state machine's working document, one per stage, for the step tests. */
import type { LaunchAttempt } from '../../../lib/capacity/plan.js';
import { parseRequest } from '../../../lib/request.js';
import type { DeploymentRequest } from '../../../lib/types.js';
import type {
  Execution,
  LaunchedDocument,
  PlannedDocument,
  PlanPrices,
  ResolvedDocument,
  ValidatedDocument,
  VerifyState,
} from '../../../lib/workflow/document.js';

export const EXECUTION: Execution = {
  id: 'arn:aws:states:us-east-1:123456789012:execution:gpu-deploy-deploy:dep-1',
  name: 'dep-1',
  startTime: '2025-06-01T12:00:00.000Z',
};

export const LAUNCHED_AT = '2025-06-01T12:00:00.000Z';

/** `LAUNCHED_AT` plus `seconds`. */
export const after = (seconds: number, from: string = LAUNCHED_AT): Date => new Date(Date.parse(from) + seconds * 1000);

export function validatedDoc(request: Record<string, unknown> = {}, overrides: Partial<ValidatedDocument> = {}): ValidatedDocument {
  const parsed: DeploymentRequest = parseRequest(request);
  return {
    deploymentId: 'dep-1',
    execution: EXECUTION,
    request: parsed,
    instanceType: {
      instanceType: parsed.instanceType,
      gpu: { manufacturer: 'NVIDIA', model: 'A10G', count: 1, memoryMiB: 24576 },
      vcpus: 4,
      memoryMiB: 16384,
      architectures: [parsed.architecture],
      source: 'ec2',
    },
    zones: ['us-east-1a', 'us-east-1b'],
    ...overrides,
  };
}

export function resolvedDoc(
  request: Record<string, unknown> = {},
  ami: Partial<ResolvedDocument['ami']> = {},
  overrides: Partial<ValidatedDocument> = {},
): ResolvedDocument {
  return {
    ...validatedDoc(request, overrides),
    ami: {
      imageId: 'ami-0abc',
      name: 'Deep Learning Base OSS Nvidia Driver GPU AMI (Ubuntu 22.04) 20250101',
      creationDate: '2025-01-01T00:00:00.000Z',
      architecture: 'x86_64',
      source: 'ssm-parameter',
      needsDriver: false,
      rootSnapshotGiB: 75,
      ...ami,
    },
  };
}

export const PRICES: PlanPrices = {
  onDemand: { usdPerHour: 1.006, source: 'pricing-api', asOf: '2025-05-01T00:00:00Z' },
  spot: {
    'us-east-1a': { usdPerHour: 0.45, timestamp: '2025-06-01T11:00:00.000Z' },
    'us-east-1b': { usdPerHour: 0.4, timestamp: '2025-06-01T11:00:00.000Z' },
  },
  gp3: { usdPerGbMonth: 0.08, source: 'snapshot', asOf: '2025-01-01' },
};

export const ATTEMPTS: LaunchAttempt[] = [
  { zone: 'us-east-1b', market: 'spot', instanceType: 'g5.xlarge', maxPrice: 1.006, expectedHourly: 0.4, reason: 'spot' },
  { zone: 'us-east-1a', market: 'on-demand', instanceType: 'g5.xlarge', expectedHourly: 1.006, reason: 'on-demand' },
];

export function plannedDoc(
  request: Record<string, unknown> = {},
  ami: Partial<ResolvedDocument['ami']> = {},
  plan: Partial<PlannedDocument['plan']> = {},
): PlannedDocument {
  return { ...resolvedDoc(request, ami), plan: { attempts: ATTEMPTS, prices: PRICES, estimates: {}, notes: [], ...plan } };
}

export function launchedDoc(request: Record<string, unknown> = {}, launch: Partial<LaunchedDocument['launch']> = {}): LaunchedDocument {
  return {
    ...plannedDoc(request),
    launch: {
      instanceId: 'i-0123456789abcdef0',
      instanceType: 'g5.xlarge',
      zone: 'us-east-1b',
      market: 'spot',
      subnetId: 'subnet-b',
      securityGroupId: 'sg-1',
      launchedAt: LAUNCHED_AT,
      reused: false,
      attempts: [],
      estimate: null,
      expiresAt: null,
      idleTeardown: null,
      workspace: null,
      ...launch,
    },
  };
}

export function verifyingDoc(
  request: Record<string, unknown> = {},
  verify: Partial<VerifyState> = {},
): LaunchedDocument & { verify: VerifyState } {
  return { ...launchedDoc(request), verify: { commandId: 'cmd-1', sentAt: LAUNCHED_AT, ...verify } };
}

/** An AWS SDK-shaped error (name is the code, with `$metadata`). */
export const awsError = (name: string, status = 400): Error =>
  Object.assign(new Error(`${name} message`), { name, $metadata: { httpStatusCode: status } });
