import type { CapacityFacts } from '../capacity/facts.js';
import type { LaunchAttempt } from '../capacity/plan.js';
import type { CostEstimate } from '../pricing/estimate.js';
import type { LaunchedInstance } from '../launch/instance.js';
import type { WorkspaceState } from '../workspace/types.js';
import type { DeploymentRequest, GpuSpec, IdleTeardown, InstanceTypeInfo, ResolvedAmi } from '../types.js';

/**
 * The state machine's working document: each Task adds its part under its own key (ASL `ResultPath`), so every
 * step's input is the plain JSON of everything decided before it.
 */
export interface Execution {
  id: string;
  name: string;
  startTime: string;
}

export interface ValidatedDocument {
  deploymentId: string;
  execution: Execution;
  request: DeploymentRequest;
  instanceType: InstanceTypeInfo & { gpu: GpuSpec };
  zones: string[];
}

/** The prices a plan was made with, kept so the launch can price exactly what it started. */
export interface PlanPrices {
  onDemand?: { usdPerHour: number; source: string; asOf?: string };
  spot: Record<string, { usdPerHour: number; timestamp: string }>;
  gp3: { usdPerGbMonth: number; source: string; asOf?: string };
}

export interface PlanResult extends Partial<CapacityFacts> {
  attempts: LaunchAttempt[];
  prices: PlanPrices;
  /** The estimate of the first spot and the first on-demand attempt. */
  estimates: { spot?: CostEstimate; onDemand?: CostEstimate };
  /** What the plan could not know and why (Pricing API unreachable, no spot market, …). */
  notes: string[];
}

export interface ResolvedDocument extends ValidatedDocument {
  /** `warnings`: what the result tells the user about the image (end of support, framework not installed). */
  ami: ResolvedAmi & { rootSnapshotGiB?: number; rootDeviceName?: string; warnings?: string[] };
}

export interface PlannedDocument extends ResolvedDocument {
  plan: PlanResult;
}

export type { CostEstimate };

/** The workspace the instance mounts, as Launch records it (null without one). */
export interface LaunchedWorkspace {
  name: string;
  fileSystemId: string;
  path: string;
}

export interface LaunchedDocument extends PlannedDocument {
  launch: LaunchedInstance & { estimate: CostEstimate | null; expiresAt: string | null; idleTeardown: IdleTeardown | null; workspace: LaunchedWorkspace | null };
  /** EnsureWorkspace's result, with a workspace only. */
  workspace?: WorkspaceState;
}

export interface VerifyState {
  commandId: string;
  sentAt: string;
  /** When the first health check was sent: the verify deadline counts from here across re-sends. */
  firstSentAt?: string;
  /** `resend`: the instance's set-up (UserData) is still running, so the check is sent again after a wait. */
  status?: 'pending' | 'done' | 'resend';
  /** The set-up stage seen by the last check, while it was still running. */
  setupStage?: string;
  /** Why nothing was sent this time (SendCommand's error code, e.g. InvalidInstanceId): sent again after a wait. */
  notSent?: string;
  report?: unknown;
  /** Once done: the workspace as the check found it (null without one); the result's `workspace`. */
  workspace?: ResultWorkspace | null;
}

/** The deployment's workspace in its result. */
export interface ResultWorkspace extends LaunchedWorkspace {
  mounted: boolean;
  transit: 'tls' | 'plain' | null;
  writable: boolean | null;
}

/** What a failed Task leaves for the rollback (ASL `Catch` with `ResultPath: $.error`). */
export interface CaughtError {
  Error: string;
  Cause: string;
}

/** Step Functions passes a Lambda's error as JSON in `Cause`; the local runner passes the bare message. */
export function causeMessage(cause: string): string {
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    return typeof parsed.errorMessage === 'string' ? parsed.errorMessage : cause;
  } catch {
    return cause;
  }
}
