/** Fixed facts of the UserData contract: paths the verifier reads, stage names, EC2's size limit. */

/** Where the script records its progress; the verifier reads this file over SSM. */
export const STATUS_FILE_PATH = '/var/lib/gpu-deploy/status.json';
/** Default state directory (holds the status file and downloads). */
export const STATE_DIR_PATH = '/var/lib/gpu-deploy';
/** Default log directory; the script appends to `setup.log` inside it. */
export const LOG_DIR_PATH = '/var/log/gpu-deploy';
export const LOG_FILE_PATH = `${LOG_DIR_PATH}/setup.log`;

/** EC2 accepts at most 16 KB of UserData, measured raw (here: the gzip that is sent), before base64 encoding. */
export const USERDATA_MAX_BYTES = 16384;

/**
 * Image that proves the Docker GPU runtime works: a plain multi-arch Ubuntu from ECR Public. The NVIDIA container
 * toolkit mounts the host's nvidia-smi into any image (NVIDIA's own sample workload runs `ubuntu`), so no CUDA
 * image is needed: `nvidia/cuda` tags are deleted when their driver branch ends, and Docker Hub limits anonymous
 * pulls per IP. ECR Public serves the Docker official images without that limit.
 */
export const GPU_CHECK_IMAGE = 'public.ecr.aws/docker/library/ubuntu:24.04';

/** Defaults the request schema applies; used here only by examples and tests. */
export const DEFAULT_OLLAMA_IMAGE = 'ollama/ollama:latest';

export const STAGE_NAMES = ['packages', 'nvidia-driver', 'docker', 'workspace', 'ollama', 'complete'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

/**
 * The stages the script runs, in order. `complete` is written last, only when every stage succeeded.
 *
 * @example
 * userDataStages(); // ['packages', 'nvidia-driver', 'docker', 'workspace', 'ollama', 'complete']
 */
export const userDataStages = (): readonly StageName[] => STAGE_NAMES;
