/**
 * The request contract's values: defaults, bounds and patterns (schemaVersion 1). The one declaration that uses
 * them is lib/request-schema.ts; UserData and the API reuse the same patterns and defaults from here.
 */

/** The request's choices (enums), each with its type. */
export const OS_TYPES = ['ubuntu-22.04', 'ubuntu-24.04', 'amazon-linux-2023', 'amazon-linux-2'] as const;
export type OsType = (typeof OS_TYPES)[number];

export const ARCHITECTURES = ['x86_64', 'arm64'] as const;
export type Architecture = (typeof ARCHITECTURES)[number];

export const AMI_TYPES = ['base', 'pytorch', 'tensorflow', 'multi-framework'] as const;
export type AmiType = (typeof AMI_TYPES)[number];

export const MARKETS = ['auto', 'spot', 'on-demand'] as const;
export type MarketChoice = (typeof MARKETS)[number];
export type Market = 'spot' | 'on-demand';

/** What a spot interruption of the deployment's instance does: only notify (default), or start it again. */
export const INTERRUPTION_ACTIONS = ['notify', 'relaunch'] as const;
export type InterruptionAction = (typeof INTERRUPTION_ACTIONS)[number];

/**
 * When no DLAMI of the asked type exists: `standard` takes the plain OS image and installs the driver (the default
 * for `base`), `none` fails with AmiNotFoundError (the default for framework types, which the plain OS lacks).
 */
export const AMI_FALLBACKS = ['standard', 'none'] as const;
export type AmiFallback = (typeof AMI_FALLBACKS)[number];

/** Defaults of the request contract. */
export const REQUEST_DEFAULTS = {
  instanceType: 'g5.xlarge',
  region: 'us-east-1',
  osType: 'ubuntu-22.04',
  architecture: 'x86_64',
  amiType: 'base',
  market: 'auto',
  rootVolumeGiB: 100,
  ollama: { enabled: true, image: 'ollama/ollama:latest', visibleDevices: 'all' },
  timeouts: { runningSeconds: 600, managedSeconds: 900, verifySeconds: 900 },
} as const;

/**
 * The polling deadlines together stay well inside the state machine's TimeoutSeconds (7200): a run that hit that
 * limit would end without Rollback, so the request may not ask for it.
 */
export const MAX_TOTAL_TIMEOUT_SECONDS = 5400;

export const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
export const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
export const SUBNET = /^subnet-[0-9a-f]{8,17}$/;
export const IMAGE = /^[a-z0-9][a-z0-9._/:@-]{0,200}$/;
export const VISIBLE_DEVICES = /^(?:all|[0-9]{1,3}(?:,[0-9]{1,3}){0,63})$/;
export const MODEL = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$/;
export const TAG_KEY = /^[A-Za-z0-9 _.:/=+@-]{1,128}$/;
export const TAG_VALUE = /^[A-Za-z0-9 _.:/=+@-]{0,256}$/;
/** Tag keys the request may not set: `aws:` in any case (AWS's own) and `gpu-deploy:` (rollback finds by them). */
export const NOT_RESERVED_TAG_KEY = /^(?![aA][wW][sS]:)(?!gpu-deploy:)/;
/** A workspace name: lowercase letters, digits and `-`, 1 to 63, starting with a letter or digit (it becomes an EFS
 * creation token, tag values and security group names). */
export const WORKSPACE_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** IAM's own rule for instance profile names. */
export const INSTANCE_PROFILE = /^[A-Za-z0-9+=,.@_-]{1,128}$/;

/** Numeric bounds of the request. */
export const REQUEST_LIMITS = {
  rootVolumeGiB: { min: 8, max: 16384 },
  maxHourlyPrice: { min: 0.001, max: 1000 },
  maxVramMiB: { min: 1, max: 2_000_000 },
  timeoutSeconds: { min: 1, max: 3600 },
  tags: 40,
  // At least the default polling deadlines' worth, so a lifetime cannot end a deployment that is still verifying.
  maxLifetimeMinutes: { min: 15, max: 525_600 },
  idleMinutes: { min: 5, max: 10_080 },
  gpuUtilizationBelowPercent: { min: 0, max: 100 },
} as const;

/** The default idle threshold: below 5% GPU utilization a sample counts as idle. */
export const DEFAULT_IDLE_GPU_UTILIZATION_PERCENT = 5;

/** Tag keys the request may not set: AWS's own and gpu-deploy's (rollback and teardown find resources by them). */
export const RESERVED_TAG_PREFIXES = ['aws:', 'gpu-deploy:'] as const;

/** A short, printable rendering of a bad value: never echo huge or control-character input back. */
export function preview(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(JSON.stringify(value) ?? value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
