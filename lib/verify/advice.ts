/**
 * What to do about each health-check failure: one sentence per code, for `gpu-deploy doctor`'s closing line. Pure.
 */
import { LOG_FILE_PATH } from '../userdata/constants.js';
import type { FailureCode, HealthFailure } from './types.js';

/** Every code has its fix (a Record over the union: a new code without one does not compile). */
export const FAILURE_FIXES: Record<FailureCode, string> = {
  NVIDIA_SMI_MISSING:
    'no NVIDIA GPU driver on this machine. doctor checks the machine it runs on; deployments run the same check on ' +
    'their instance over SSM (gpu-deploy status ID shows it). On a GPU machine, install the NVIDIA driver (a Deep ' +
    'Learning AMI has it).',
  DRIVER_NOT_LOADED: 'the NVIDIA driver is installed but not loaded: run `sudo modprobe nvidia`, or reboot; after a kernel update, rebuild its module (`sudo dkms autoinstall`).',
  NO_DEVICES: 'the driver sees no GPU: check that this is a GPU instance type (`nvidia-smi -L`); inside a container, start it with `--gpus all`.',
  DRIVER_LIBRARY_MISMATCH: "the driver's kernel module and its libraries are different versions (a driver update without a reboot): reboot.",
  NVML_ERROR: 'NVML could not talk to the GPU: reboot; if it stays, read `sudo dmesg | grep -i nvrm` for Xid errors.',
  NVIDIA_SMI_TIMEOUT: 'nvidia-smi hung: the GPU may need a reset (`sudo nvidia-smi -r`) or the machine a reboot.',
  DOCKER_MISSING: 'install Docker and the NVIDIA container toolkit, or run `gpu-deploy doctor --skip-docker` to check the GPU alone.',
  DOCKER_RUNTIME_NOT_NVIDIA: 'make nvidia Docker\'s default runtime: `sudo nvidia-ctk runtime configure --runtime=docker --set-as-default && sudo systemctl restart docker`.',
  DOCKER_GPU_UNAVAILABLE:
    'containers cannot reach the GPU: start Docker (`sudo systemctl start docker`), install the NVIDIA container ' +
    'toolkit and run `sudo nvidia-ctk runtime configure --runtime=docker && sudo systemctl restart docker`, then try ' +
    '`docker run --rm --gpus all ubuntu nvidia-smi -L`.',
  OLLAMA_UNREACHABLE: 'start Ollama (`docker start ollama`), or run `gpu-deploy doctor --skip-ollama` where none is meant to run.',
  OLLAMA_ON_CPU: 'Ollama runs without the GPU: recreate its container with `--gpus all` (`docker rm -f ollama`, then `docker run -d --gpus all ... ollama/ollama`).',
  USERDATA_STAGE_FAILED: `the instance's set-up failed: read ${LOG_FILE_PATH} (\`gpu-deploy exec ID -- tail -n 50 ${LOG_FILE_PATH}\`).`,
  GPU_MISMATCH: 'the GPUs differ from what EC2 describes for this instance type: tear the deployment down and launch again.',
  WORKSPACE_NOT_MOUNTED: `the workspace (EFS) is not mounted at /workspace: read the workspace stage in ${LOG_FILE_PATH}; the mount target's security group must allow TCP 2049 from the instance's workspace client group.`,
  WORKSPACE_NOT_WRITABLE: 'the workspace is mounted but a test write did not read back: check `df -h /workspace` and the ownership of /workspace.',
};

/** One entry per failure code, in the order the codes first appear, with the messages of that code joined. */
export interface FailureGroup {
  code: FailureCode;
  messages: string[];
}

/**
 * The failures grouped by code, first appearance first.
 *
 * @example
 * groupFailures([{ code: 'DOCKER_GPU_UNAVAILABLE', ... }, { code: 'DOCKER_GPU_UNAVAILABLE', ... }]).length; // 1
 */
export const groupFailures = (failures: readonly HealthFailure[]): FailureGroup[] => {
  const groups = new Map<FailureCode, string[]>();
  for (const failure of failures) groups.set(failure.code, [...(groups.get(failure.code) ?? []), failure.message]);
  return [...groups].map(([code, messages]) => ({ code, messages }));
};

/** The fix for the first failure, which is usually the cause of the rest (no driver: no container GPU either). */
export const firstFix = (failures: readonly HealthFailure[]): string | null => {
  const first = failures[0];
  return first === undefined ? null : FAILURE_FIXES[first.code];
};
