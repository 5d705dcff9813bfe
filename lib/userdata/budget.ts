/**
 * The time budget of the instance's set-up: what each UserData stage downloads and about how long it takes, and
 * the verify deadline that has to cover it. A DLAMI ships the driver and toolkit; a plain OS image (the standard
 * fallback) builds the driver and installs the CUDA toolkit first, which the 900-second default cannot cover.
 *
 * The figures are estimates from the published sizes of what each stage fetches (NVIDIA's packages and runfiles,
 * the Ollama image), at the tens of MiB/s EC2 gets from those CDNs, plus the module build and unpacking; they are
 * not measurements from a real instance. The deadline leaves about twice the estimate.
 */
import { MAX_TOTAL_TIMEOUT_SECONDS, REQUEST_DEFAULTS } from '../request.js';
import type { DeploymentRequest, OsType } from '../types.js';
import type { StageName } from './constants.js';
import type { UserDataAmiSource } from './options.js';

export interface StageEstimate {
  stage: Exclude<StageName, 'complete'>;
  /** What the stage downloads, MiB (estimate). */
  downloadMiB: number;
  /** Wall time of the stage, seconds (estimate). */
  seconds: number;
  what: string;
}

export interface SetupBudget {
  amiSource: UserDataAmiSource;
  stages: StageEstimate[];
  downloadMiB: number;
  estimatedSeconds: number;
  /** The deadline GetGpuReport applies ({@link verifyDeadlineSeconds}). */
  verifySeconds: number;
  /** Why that deadline: the request's own value, its default, or the default raised for a driver build. */
  verifySecondsFrom: 'request' | 'default' | 'standard-ami-default';
}

/** The verify deadline when the AMI needs a driver and the request left `timeouts.verifySeconds` at its default. */
export const STANDARD_AMI_VERIFY_SECONDS = 2400;

const DRIVER_BUILD: Record<OsType, Omit<StageEstimate, 'stage'>> = {
  'ubuntu-22.04': { downloadMiB: 3500, seconds: 840, what: 'linux-headers, nvidia-open (DKMS builds the open modules), cuda-toolkit-12-6' },
  'ubuntu-24.04': { downloadMiB: 3500, seconds: 840, what: 'linux-headers, nvidia-open (DKMS builds the open modules), cuda-toolkit-12-6' },
  'amazon-linux-2023': { downloadMiB: 3450, seconds: 840, what: 'kernel devel, nvidia-open (DKMS builds the open modules), cuda-toolkit-12-6' },
  'amazon-linux-2': { downloadMiB: 4800, seconds: 960, what: 'gcc10 and dkms, the R580 driver runfile (module build), the CUDA 12.4.1 runfile' },
};

/**
 * What each stage is expected to download and take, for this OS, AMI source and Ollama choice.
 *
 * @example
 * setupStages('ubuntu-22.04', 'dlami', { enabled: false }).map((s) => s.stage); // ['packages', 'nvidia-driver', 'docker', 'workspace', 'ollama']
 */
export function setupStages(osType: OsType, amiSource: UserDataAmiSource, ollama: { enabled: boolean; model?: string }, workspace = false): StageEstimate[] {
  const standard = amiSource === 'standard';
  return [
    { stage: 'packages', downloadMiB: 0, seconds: 10, what: 'curl, gpg and CA bundle checked (installed only if missing)' },
    standard
      ? { stage: 'nvidia-driver', ...DRIVER_BUILD[osType] }
      : { stage: 'nvidia-driver', downloadMiB: 0, seconds: 15, what: 'the DLAMI ships the driver: loaded and checked' },
    standard
      ? { stage: 'docker', downloadMiB: 150, seconds: 120, what: 'Docker, the NVIDIA container toolkit, the GPU check image (ECR Public)' }
      : { stage: 'docker', downloadMiB: 30, seconds: 45, what: 'the GPU check image (ECR Public); Docker restarted with the nvidia runtime' },
    workspace
      ? { stage: 'workspace', downloadMiB: 10, seconds: 30, what: 'amazon-efs-utils, then the EFS mount (longer while a new mount target is still being created)' }
      : { stage: 'workspace', downloadMiB: 0, seconds: 0, what: 'no workspace' },
    ollama.enabled
      ? { stage: 'ollama', downloadMiB: 3000, seconds: 240, what: `the Ollama image (CUDA libraries included)${ollama.model ? ' and the model (its own size on top)' : ''}` }
      : { stage: 'ollama', downloadMiB: 0, seconds: 0, what: 'Ollama disabled' },
  ];
}

/**
 * The verify deadline: the request's own value, except that the default is raised to
 * {@link STANDARD_AMI_VERIFY_SECONDS} when the AMI needs a driver, within what the other deadlines leave of
 * {@link MAX_TOTAL_TIMEOUT_SECONDS} (so rollback always fits inside the state machine's own limit).
 *
 * @example
 * verifyDeadlineSeconds({ timeouts: { runningSeconds: 600, managedSeconds: 900, verifySeconds: 900 } }, true); // 2400
 */
export function verifyDeadlineSeconds(request: Pick<DeploymentRequest, 'timeouts'>, needsDriver: boolean): number {
  const { runningSeconds, managedSeconds, verifySeconds } = request.timeouts;
  if (!needsDriver || verifySeconds !== REQUEST_DEFAULTS.timeouts.verifySeconds) return verifySeconds;
  const room = MAX_TOTAL_TIMEOUT_SECONDS - runningSeconds - managedSeconds;
  return Math.max(verifySeconds, Math.min(STANDARD_AMI_VERIFY_SECONDS, room));
}

/** The whole budget, as `plan` states it. */
export function setupBudget(request: Pick<DeploymentRequest, 'osType' | 'ollama' | 'timeouts' | 'workspace'>, needsDriver: boolean): SetupBudget {
  const amiSource: UserDataAmiSource = needsDriver ? 'standard' : 'dlami';
  const stages = setupStages(request.osType, amiSource, request.ollama, request.workspace !== undefined);
  const verifySeconds = verifyDeadlineSeconds(request, needsDriver);
  const asked = request.timeouts.verifySeconds;
  return {
    amiSource,
    stages,
    downloadMiB: stages.reduce((sum, s) => sum + s.downloadMiB, 0),
    estimatedSeconds: stages.reduce((sum, s) => sum + s.seconds, 0),
    verifySeconds,
    verifySecondsFrom:
      verifySeconds !== asked ? 'standard-ami-default' : asked === REQUEST_DEFAULTS.timeouts.verifySeconds ? 'default' : 'request',
  };
}

/** A deadline shorter than the estimate is likely to time out and roll back a healthy instance: say so. */
export function budgetWarnings(budget: SetupBudget): string[] {
  return budget.verifySeconds < budget.estimatedSeconds
    ? [
        `timeouts.verifySeconds is ${budget.verifySeconds}s, less than the about ${budget.estimatedSeconds}s this set-up is estimated to take (${budget.amiSource === 'standard' ? 'the driver is built on the instance' : 'DLAMI'}): the deployment may time out and roll back`,
      ]
    : [];
}

/**
 * One line for `plan`.
 *
 * @example
 * budgetLine(setupBudget(request, false)); // 'Set-up on the instance (DLAMI: driver included): about 2.0 GiB to download, ...'
 */
export function budgetLine(budget: SetupBudget): string {
  const gib = (budget.downloadMiB / 1024).toFixed(1);
  const minutes = Math.round(budget.estimatedSeconds / 60);
  const path = budget.amiSource === 'standard' ? 'standard AMI: NVIDIA driver built and CUDA toolkit installed there' : 'DLAMI: driver included';
  const from =
    budget.verifySecondsFrom === 'standard-ami-default'
      ? ` (the ${REQUEST_DEFAULTS.timeouts.verifySeconds}s default, raised for a driver build)`
      : budget.verifySecondsFrom === 'default'
        ? ' (default)'
        : ' (timeouts.verifySeconds)';
  return `Set-up on the instance (${path}): about ${gib} GiB to download, about ${minutes} min estimated; verify deadline ${budget.verifySeconds}s${from}`;
}
