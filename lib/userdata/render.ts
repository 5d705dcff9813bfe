/** Assembles the UserData script from its stages and enforces EC2's size limit. */
import { gunzipSync, gzipSync } from 'node:zlib';
import { UserDataInvalidError } from '../errors.js';
import { GPU_CHECK_IMAGE, USERDATA_MAX_BYTES } from './constants.js';
import { containerCudaDevices, validateUserDataOptions } from './options.js';
import type { UserDataOptions } from './options.js';
import {
  al2CudaRunfileUrl,
  al2DriverRunfileUrl,
  CUDA_TOOLKIT_PACKAGE,
  cudaRepoUrl,
  NVIDIA_CTK_GPGKEY_URL,
  NVIDIA_CTK_LIST_URL,
  NVIDIA_CTK_REPO_URL,
} from './platform.js';
import { renderMain } from './stages/complete.js';
import { renderDockerStage } from './stages/docker.js';
import { renderGuardStage } from './stages/guard.js';
import { renderNvidiaDriverStage } from './stages/nvidia-driver.js';
import { renderOllamaStage } from './stages/ollama.js';
import { renderPackagesStage } from './stages/packages.js';
import { renderPrelude } from './stages/prelude.js';
import { renderWorkspaceStage } from './stages/workspace.js';
import type { ScriptValues } from './stages/prelude.js';

/** Download locations only the standard-AMI path uses; left out otherwise so no variable sits unused. */
const driverSourceValues = (options: UserDataOptions): Record<string, string> => {
  if (options.amiSource !== 'standard') return {};
  const repo = cudaRepoUrl(options.osType, options.architecture);
  return repo === undefined
    ? {
        NVIDIA_DRIVER_RUNFILE_URL: al2DriverRunfileUrl(options.architecture),
        CUDA_RUNFILE_URL: al2CudaRunfileUrl(options.architecture),
      }
    : { CUDA_REPO_URL: repo, CUDA_TOOLKIT_PACKAGE };
};

/** The guard's settings: the deadline in epoch seconds, the idle policy; empty when unset. */
const guardValues = (options: UserDataOptions): Record<string, string> => ({
  EXPIRES_AT_EPOCH: options.expiresAt === undefined ? '' : String(Math.floor(Date.parse(options.expiresAt) / 1000)),
  IDLE_MINUTES: options.idleTeardown === undefined ? '' : String(options.idleTeardown.minutes),
  IDLE_BELOW_PERCENT: options.idleTeardown === undefined ? '' : String(options.idleTeardown.gpuUtilizationBelowPercent),
});

const toolkitSourceValues = (options: UserDataOptions): Record<string, string> =>
  options.osType.startsWith('ubuntu')
    ? { NVIDIA_CTK_GPGKEY_URL, NVIDIA_CTK_LIST_URL }
    : { NVIDIA_CTK_REPO_URL };

/**
 * Every value the script uses, by shell variable name (all later single-quoted as `readonly`).
 *
 * @example
 * scriptValues(options).OLLAMA_ENABLED; // 'true'
 */
export const scriptValues = (options: UserDataOptions): ScriptValues => ({
  DEPLOYMENT_ID: options.deploymentId,
  OS_TYPE: options.osType,
  ARCHITECTURE: options.architecture,
  AMI_SOURCE: options.amiSource,
  OLLAMA_ENABLED: String(options.ollama.enabled),
  OLLAMA_IMAGE: options.ollama.image,
  OLLAMA_VISIBLE_DEVICES: options.ollama.visibleDevices,
  OLLAMA_CUDA_VISIBLE_DEVICES: containerCudaDevices(options.ollama.visibleDevices) ?? '',
  OLLAMA_MAX_VRAM_MIB: options.ollama.maxVramMiB === undefined ? '' : String(options.ollama.maxVramMiB),
  OLLAMA_MODEL: options.ollama.model ?? '',
  GPU_CHECK_IMAGE,
  WORKSPACE_FILE_SYSTEM_ID: options.workspace?.fileSystemId ?? '',
  WORKSPACE_REGION: options.workspace?.region ?? '',
  ...guardValues(options),
  ...driverSourceValues(options),
  ...toolkitSourceValues(options),
});

/**
 * What RunInstances sends: the script gzip-compressed. cloud-init recognises gzip and runs what it unpacks, and
 * EC2's 16 KB limit applies to these bytes (before base64), so the script itself may be larger.
 *
 * @example
 * gunzipSync(compressUserData('#!/bin/bash\n')).toString(); // '#!/bin/bash\n'
 */
export const compressUserData = (script: string): Buffer => gzipSync(Buffer.from(script, 'utf8'), { level: 9 });

/**
 * Throws when a script, as sent (gzip), exceeds EC2's 16 KB UserData limit (raw bytes, before base64).
 *
 * @throws UserDataInvalidError with `details.field = 'userData'`.
 * @example
 * assertUserDataSize('#!/bin/bash\n'); // returns normally
 */
export const assertUserDataSize = (script: string): void => {
  const bytes = compressUserData(script).length;
  if (bytes > USERDATA_MAX_BYTES) {
    throw new UserDataInvalidError(`UserData is ${bytes} bytes compressed; EC2 accepts at most ${USERDATA_MAX_BYTES}`, {
      hint: 'Shorten the Ollama image or model name.',
      details: { field: 'userData', bytes, limit: USERDATA_MAX_BYTES },
    });
  }
};

/**
 * Renders the bash UserData script that prepares the NVIDIA driver, the Docker GPU runtime and Ollama,
 * recording each stage in /var/lib/gpu-deploy/status.json.
 *
 * @throws UserDataInvalidError when an option fails validation or the script exceeds 16 KB.
 * @example
 * const script = renderUserData({
 *   deploymentId: 'dep-1', osType: 'ubuntu-22.04', architecture: 'x86_64', amiSource: 'dlami',
 *   ollama: { enabled: true, image: 'ollama/ollama:latest', visibleDevices: 'all', model: 'llama3.2:1b' },
 * });
 * script.startsWith('#!/bin/bash\n'); // true
 */
export const renderUserData = (options: UserDataOptions): string => {
  validateUserDataOptions(options);
  const script = [
    renderPrelude(scriptValues(options)),
    renderGuardStage(),
    renderPackagesStage(options.osType),
    renderNvidiaDriverStage(options.osType, options.amiSource),
    renderDockerStage(options.osType),
    renderWorkspaceStage(options.osType),
    renderOllamaStage(),
    renderMain(),
  ].join('\n');
  assertUserDataSize(script);
  return script;
};

/**
 * Base64 of the gzip for RunInstances' `UserData` field, after the same size check.
 *
 * @example
 * gunzipSync(Buffer.from(toBase64UserData('#!/bin/bash\n'), 'base64')).toString(); // '#!/bin/bash\n'
 */
export const toBase64UserData = (script: string): string => {
  const compressed = compressUserData(script);
  if (compressed.length > USERDATA_MAX_BYTES) assertUserDataSize(script);
  return compressed.toString('base64');
};

/**
 * The script back from RunInstances' `UserData` (base64 of the gzip, or of the plain text an older launch sent).
 *
 * @example
 * decodeUserData(toBase64UserData('#!/bin/bash\n')); // '#!/bin/bash\n'
 */
export const decodeUserData = (base64: string): string => {
  const bytes = Buffer.from(base64, 'base64');
  return bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
};
