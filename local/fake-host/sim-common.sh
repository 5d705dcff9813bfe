# shellcheck shell=bash
# Shared settings of the simulated GPU host (sourced by the fake nvidia-smi, docker and curl).
# A local stand-in for tests and `npm start`: there is no GPU here, only realistic tool output.

SIM_GPU_MODEL="${SIM_GPU_MODEL:-NVIDIA A10G}"
SIM_GPU_COUNT="${SIM_GPU_COUNT:-1}"
SIM_GPU_MEMORY_MIB="${SIM_GPU_MEMORY_MIB:-23028}"
SIM_DRIVER_VERSION="${SIM_DRIVER_VERSION:-550.127.05}"
SIM_CUDA_VERSION="${SIM_CUDA_VERSION:-12.4}"
SIM_MIG="${SIM_MIG:-0}"
SIM_MIG_DEVICES="${SIM_MIG_DEVICES:-2}"
SIM_MIG_PROFILE="${SIM_MIG_PROFILE:-3g.20gb}"
SIM_DOCKER_PULL="${SIM_DOCKER_PULL:-0}"
SIM_FAULT="${SIM_FAULT:-none}"
SIM_OLLAMA_CONTAINER="${SIM_OLLAMA_CONTAINER:-ollama}"
SIM_HANG_SECONDS="${SIM_HANG_SECONDS:-60}"

case "$SIM_GPU_COUNT" in
  '' | *[!0-9]*) SIM_GPU_COUNT=1 ;;
esac
case "$SIM_MIG_DEVICES" in
  '' | *[!0-9]*) SIM_MIG_DEVICES=2 ;;
esac

# Stable, realistic-looking UUIDs per GPU index (and MIG device).
sim_gpu_uuid() {
  printf 'GPU-5a1c9e7f-3b2d-4c8a-9e1f-%012x' "$1"
}
sim_mig_uuid() {
  printf 'MIG-8d2e4f6a-%04x-5b3c-a7d9-%012x' "$1" "$2"
}

# Faults in which the GPU is not usable at all, so containers and Ollama cannot see it either.
sim_gpu_broken() {
  case "$SIM_FAULT" in
    no-driver | no-devices | driver-mismatch | nvml-error) return 0 ;;
    *) return 1 ;;
  esac
}
