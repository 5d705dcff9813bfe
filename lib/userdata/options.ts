/** The inputs of UserData and their allow-list validation. Everything a user controls is checked here first. */
import { UserDataInvalidError } from '../errors.js';
import { DEPLOYMENT_ID_PATTERN } from '../launch/tags.js';
import { MODEL as REQUEST_MODEL, REGION, VISIBLE_DEVICES as REQUEST_VISIBLE_DEVICES } from '../request.js';
import { ARCHITECTURES, OS_TYPES } from '../types.js';
import type { Architecture, IdleTeardown, OllamaOptions, OsType } from '../types.js';

export const AMI_SOURCES = ['dlami', 'standard'] as const;
/** `dlami` ships the NVIDIA driver and container toolkit; `standard` is a plain OS image that needs both installed. */
export type UserDataAmiSource = (typeof AMI_SOURCES)[number];

export interface UserDataOptions {
  /** `[A-Za-z0-9_-]{1,80}`; recorded in the status file. */
  deploymentId: string;
  osType: OsType;
  architecture: Architecture;
  amiSource: UserDataAmiSource;
  ollama: OllamaOptions;
  /** The lifetime's deadline (ISO 8601 UTC): the guard shuts the instance down 10 minutes after it. */
  expiresAt?: string;
  /** The idle teardown policy the guard applies once set-up finished. */
  idleTeardown?: IdleTeardown;
  /** The workspace to mount at /workspace: its EFS file system and region (its DNS name is fs-ID.efs.REGION.amazonaws.com). */
  workspace?: { fileSystemId: string; region: string };
}

/** EFS's own pattern for file system ids. */
export const FILE_SYSTEM_ID = /^fs-[0-9a-f]{8,40}$/;

export const MAX_VRAM_MIB_LIMIT = 2_000_000;

// The request's own patterns (lib/request.ts): a request that passes ValidateRequest must render here.
const DEPLOYMENT_ID = DEPLOYMENT_ID_PATTERN;
const VISIBLE_DEVICES = REQUEST_VISIBLE_DEVICES;
// An Ollama model name such as `llama3.2:1b` or `hf.co/org/model:Q4_K_M`; no leading `-`.
const MODEL = REQUEST_MODEL;
// A docker reference: registry/name:tag@digest. The first character may not be `-` (no option injection).
// Wider than the request's (upper case in tags), so everything the request accepts renders.
const IMAGE = /^[a-z0-9][A-Za-z0-9._/:@-]{0,200}$/;

/** A short, printable rendering of a rejected value for the error message. */
const shown = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

const invalid = (field: string, value: unknown, hint: string): UserDataInvalidError =>
  new UserDataInvalidError(`UserData field "${field}" is invalid: ${shown(value)}`, {
    hint,
    details: { field },
  });

const checkPattern = (field: string, value: unknown, pattern: RegExp, hint: string): void => {
  if (typeof value !== 'string' || !pattern.test(value)) throw invalid(field, value, hint);
};

const checkOneOf = (field: string, value: unknown, allowed: readonly string[]): void => {
  if (typeof value !== 'string' || !allowed.includes(value)) {
    throw invalid(field, value, `Use one of: ${allowed.join(', ')}.`);
  }
};

const checkOllama = (ollama: unknown): void => {
  if (typeof ollama !== 'object' || ollama === null) {
    throw invalid('ollama', ollama, 'Pass an object { enabled, image, visibleDevices, maxVramMiB?, model? }.');
  }
  const o = ollama as Record<string, unknown>;
  if (typeof o.enabled !== 'boolean') throw invalid('ollama.enabled', o.enabled, 'Use true or false.');
  checkPattern(
    'ollama.image',
    o.image,
    IMAGE,
    'Use a docker image reference such as ollama/ollama:latest (lower-case name; letters, digits and . _ / : @ - only; at most 201 characters).',
  );
  checkPattern(
    'ollama.visibleDevices',
    o.visibleDevices,
    VISIBLE_DEVICES,
    'Use "all" or a comma-separated list of GPU indexes such as "0" or "0,1".',
  );
  if (o.maxVramMiB !== undefined) {
    const v = o.maxVramMiB;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0 || v > MAX_VRAM_MIB_LIMIT) {
      throw invalid('ollama.maxVramMiB', v, `Use a whole number of MiB between 1 and ${MAX_VRAM_MIB_LIMIT}, or leave it unset.`);
    }
  }
  if (o.model !== undefined) {
    checkPattern(
      'ollama.model',
      o.model,
      MODEL,
      'Use an Ollama model name such as llama3.2:1b (letters, digits and . _ : / - only; at most 100 characters).',
    );
  }
};

const ISO_SECOND = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

const checkLifecycle = (options: UserDataOptions): void => {
  if (options.expiresAt !== undefined && (!ISO_SECOND.test(options.expiresAt) || Number.isNaN(Date.parse(options.expiresAt)))) {
    throw invalid('expiresAt', options.expiresAt, 'Use an ISO 8601 UTC time to the second, such as 2026-12-02T09:30:00Z.');
  }
  const idle = options.idleTeardown;
  if (idle === undefined) return;
  if (!Number.isSafeInteger(idle.minutes) || idle.minutes < 1 || idle.minutes > 100_000) {
    throw invalid('idleTeardown.minutes', idle.minutes, 'Use a whole number of minutes, at least 1.');
  }
  const below = idle.gpuUtilizationBelowPercent;
  if (typeof below !== 'number' || !Number.isFinite(below) || below < 0 || below > 100) {
    throw invalid('idleTeardown.gpuUtilizationBelowPercent', below, 'Use a percentage between 0 and 100.');
  }
};

/**
 * Checks every field against an allow-list before anything is rendered.
 *
 * @throws UserDataInvalidError naming the field (`details.field`) with a hint saying what to change.
 * @example
 * validateUserDataOptions({
 *   deploymentId: 'dep-1', osType: 'ubuntu-22.04', architecture: 'x86_64', amiSource: 'dlami',
 *   ollama: { enabled: true, image: 'ollama/ollama:latest', visibleDevices: 'all' },
 * }); // returns normally
 */
export const validateUserDataOptions = (options: UserDataOptions): void => {
  checkPattern(
    'deploymentId',
    options.deploymentId,
    DEPLOYMENT_ID,
    'Use 1 to 80 characters from A-Z, a-z, 0-9, _ and -.',
  );
  checkOneOf('osType', options.osType, OS_TYPES);
  checkOneOf('architecture', options.architecture, ARCHITECTURES);
  checkOneOf('amiSource', options.amiSource, AMI_SOURCES);
  checkOllama(options.ollama);
  checkLifecycle(options);
  if (options.workspace !== undefined) {
    checkPattern('workspace.fileSystemId', options.workspace.fileSystemId, FILE_SYSTEM_ID, 'Use an EFS file system id such as fs-0123456789abcdef0.');
    checkPattern('workspace.region', options.workspace.region, REGION, 'Use an AWS region such as us-east-1.');
  }
};

/**
 * The CUDA_VISIBLE_DEVICES to give the Ollama container. The container sees only the GPUs named in
 * NVIDIA_VISIBLE_DEVICES, renumbered from 0, so host indexes `2,3` become `0,1` inside it.
 *
 * @example
 * containerCudaDevices('2,3'); // '0,1'
 * containerCudaDevices('all'); // undefined (every GPU is visible; nothing to narrow)
 */
export const containerCudaDevices = (visibleDevices: string): string | undefined =>
  visibleDevices === 'all'
    ? undefined
    : visibleDevices
        .split(',')
        .map((_, index) => String(index))
        .join(',');
