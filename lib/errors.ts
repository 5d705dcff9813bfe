/**
 * The error vocabulary of gpu-deploy. Every error the state machine branches on has a stable `name` here; the
 * ASL's `Retry`/`Catch` blocks refer to these names (a test checks that every name in statemachines/ is one of
 * `ERROR_NAMES` or a `States.*`/`Lambda.*` name).
 *
 * Each error carries a `hint`: what the user should change.
 *
 * @example
 * throw new InstanceTypeUnknownError('No instance type "g5.xlargee"', { hint: 'Did you mean g5.xlarge?' });
 */
export class GpuDeployError extends Error {
  readonly hint: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    message: string,
    options: { hint?: string; cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
    this.details = options.details;
  }

  /** Plain JSON for CLI output, API bodies and Step Functions `Cause`. */
  toJSON(): { error: string; message: string; hint?: string; details?: Record<string, unknown> } {
    return {
      error: this.name,
      message: this.message,
      ...(this.hint === undefined ? {} : { hint: this.hint }),
      ...(this.details === undefined ? {} : { details: this.details }),
    };
  }
}

// --- Request and catalog -------------------------------------------------------------------------------------
export class RequestInvalidError extends GpuDeployError {}
export class InstanceTypeUnknownError extends GpuDeployError {}
export class InstanceTypeNotGpuError extends GpuDeployError {}
export class GpuNotNvidiaError extends GpuDeployError {}
export class ArchitectureMismatchError extends GpuDeployError {}
export class InstanceTypeNotOfferedError extends GpuDeployError {}
export class DriverUnsupportedError extends GpuDeployError {}

// --- AMI ---------------------------------------------------------------------------------------------------------
export class AmiNotFoundError extends GpuDeployError {}

// --- Capacity and launch -------------------------------------------------------------------------------------
export class LaunchPlanEmptyError extends GpuDeployError {}
export class CapacityUnavailableError extends GpuDeployError {}
/** No price a user would actually pay (Linux, shared tenancy, no pre-installed software) was found. */
export class PriceNotFoundError extends GpuDeployError {}
export class LaunchFailedError extends GpuDeployError {}
export class NetworkNotFoundError extends GpuDeployError {}
export class UserDataInvalidError extends GpuDeployError {}

// --- Instance lifecycle and verification -------------------------------------------------------------------
export class InstanceStartFailedError extends GpuDeployError {}
export class InstanceStartTimeoutError extends GpuDeployError {}
export class SsmManagedTimeoutError extends GpuDeployError {}
export class GpuVerificationFailedError extends GpuDeployError {}
export class VerificationTimeoutError extends GpuDeployError {}
export class RollbackIncompleteError extends GpuDeployError {}

// --- AWS boundary ----------------------------------------------------------------------------------------------
/** AWS said slow down: retried with backoff by the state machine. */
export class AwsThrottlingError extends GpuDeployError {}
/** A 5xx or network fault that is worth retrying. */
export class AwsTransientError extends GpuDeployError {}
/** Any other AWS error, with its code kept in `details.code`. */
export class AwsRequestError extends GpuDeployError {}
export class AwsAccessDeniedError extends GpuDeployError {}
/** The endpoint's DNS name does not exist (ENOTFOUND): a region or AWS_ENDPOINT_URL that is wrong, never transient. */
export class AwsEndpointNotFoundError extends GpuDeployError {}
/** The AWS SDK found no credentials (CredentialsProviderError): nothing was asked of AWS. */
export class AwsCredentialsMissingError extends GpuDeployError {}

// Issue 14: AWS behaviour a real account shows ------------------------------------------------------------------
// (Declared above the registry, not at the file's end: ERROR_CLASSES must reference them, and a class cannot be used
// before its declaration runs.)
/** `onInterruption: relaunch` for a region other than the stack's: its spot warnings never reach the stack's rule. */
export class InterruptionRegionUnsupportedError extends GpuDeployError {}
/** The instance ended at launch because its EBS volume's KMS key (the account's default EBS key) is unusable. */
export class EbsKmsKeyUnusableError extends GpuDeployError {}

// Issue 19: the workspace (EFS) --------------------------------------------------------------------------------------
/** The workspace cannot be reached from where the deployment launches (DNS off in the VPC, mount targets in another VPC). */
export class WorkspaceNetworkError extends GpuDeployError {}
/** The workspace's file system or a mount target is in a state that does not pass (error, deleted, stuck). */
export class WorkspaceUnavailableError extends GpuDeployError {}
/** The mount target of the instance's zone stayed `creating` past its bound: the instance could never mount. */
export class WorkspaceMountTargetTimeoutError extends GpuDeployError {}

export const ERROR_CLASSES = {
  RequestInvalidError,
  InstanceTypeUnknownError,
  InstanceTypeNotGpuError,
  GpuNotNvidiaError,
  ArchitectureMismatchError,
  InstanceTypeNotOfferedError,
  DriverUnsupportedError,
  AmiNotFoundError,
  LaunchPlanEmptyError,
  CapacityUnavailableError,
  PriceNotFoundError,
  LaunchFailedError,
  NetworkNotFoundError,
  UserDataInvalidError,
  InstanceStartFailedError,
  InstanceStartTimeoutError,
  SsmManagedTimeoutError,
  GpuVerificationFailedError,
  VerificationTimeoutError,
  RollbackIncompleteError,
  AwsThrottlingError,
  AwsTransientError,
  AwsRequestError,
  AwsAccessDeniedError,
  AwsEndpointNotFoundError,
  AwsCredentialsMissingError,
  InterruptionRegionUnsupportedError,
  EbsKmsKeyUnusableError,
  WorkspaceNetworkError,
  WorkspaceUnavailableError,
  WorkspaceMountTargetTimeoutError,
} as const;

export type ErrorName = keyof typeof ERROR_CLASSES;
export const ERROR_NAMES = Object.keys(ERROR_CLASSES) as ErrorName[];

/** Errors that a retry cannot fix: the request must change. */
export const REQUEST_ERROR_NAMES: readonly ErrorName[] = [
  'RequestInvalidError',
  'InstanceTypeUnknownError',
  'InstanceTypeNotGpuError',
  'GpuNotNvidiaError',
  'ArchitectureMismatchError',
  'InstanceTypeNotOfferedError',
  'DriverUnsupportedError',
  'AmiNotFoundError',
  'LaunchPlanEmptyError',
  'InterruptionRegionUnsupportedError',
  'WorkspaceNetworkError',
];

export const isGpuDeployError = (value: unknown): value is GpuDeployError => value instanceof GpuDeployError;

// Issue 13: lifetime (`gpu-deploy extend`). CLI errors, never a state machine branch: not in ERROR_CLASSES.
/** `extend` found no running instance tagged with the deployment id in the region. */
export class LifetimeInstanceNotFoundError extends GpuDeployError {}
/** `extend` could not move the instance's own backstop over Run Command (nothing else was changed). */
export class LifetimeBackstopFailedError extends GpuDeployError {}
// Issue 12: reaching the verified GPU (instance profile, sessions, exec, list) ---------------------------------
/** No instance profile could be named, found or created: RunInstances is never called without one. */
export class InstanceProfileUnavailableError extends GpuDeployError {}
/** The request names an instance profile that IAM does not know (NoSuchEntity). */
export class InstanceProfileNotFoundError extends GpuDeployError {}
/** No live instance carries the deployment's tag in the region. */
export class DeploymentInstanceNotFoundError extends GpuDeployError {}
/** AWS's session-manager-plugin is not on PATH; the session that was opened has been terminated. */
export class SessionManagerPluginMissingError extends GpuDeployError {}
/** The session-manager-plugin exited with a failure status. */
export class SessionPluginFailedError extends GpuDeployError {}
/** Run Command did not finish within the exec timeout. */
export class ExecTimeoutError extends GpuDeployError {}
/** `--local` was given but no `gpu-deploy local-cloud` is running. */
export class LocalCloudNotRunningError extends GpuDeployError {}
/** The tunnel's local port is taken on this machine. */
export class LocalPortInUseError extends GpuDeployError {}
// Issue 19: `gpu-deploy workspace`. CLI errors, never a state machine branch: not in ERROR_CLASSES.
/** No workspace of that name (tag gpu-deploy:workspace) in the region. */
export class WorkspaceNotFoundError extends GpuDeployError {}
/** `workspace delete` while a deployment that uses the workspace still runs. */
export class WorkspaceInUseError extends GpuDeployError {}
/** `workspace delete` waited for the mount targets or the file system to go, and they did not in time. */
export class WorkspaceDeleteTimeoutError extends GpuDeployError {}
