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
# GPU load as utilization.gpu reports it, one word per GPU (the last word serves the GPUs after it): a steady
# percentage, or `bursty[:BUSY_MS:EVERY_MS:PERCENT]` (default 500:5000:99), which follows the wall clock like a
# real GPU busy 0.5 s of every 5 s. As NVML does, a reading is the busy share of the last sample period
# (SIM_NVML_SAMPLE_MS, default 167): one-shot readings mostly say 0, readings once a second can all say 0, and only
# readings several times a second see the bursts. Unset: GPU i reads i % 3.
SIM_GPU_LOAD="${SIM_GPU_LOAD:-}"
SIM_NVML_SAMPLE_MS="${SIM_NVML_SAMPLE_MS:-167}"

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

# The clock of one round of readings: milliseconds since the epoch and nvidia-smi's timestamp format.
sim_read_clock() {
  local now
  now=$(date '+%s%3N|%Y/%m/%d %H:%M:%S.%3N')
  SIM_NOW_MS=${now%%|*}
  # shellcheck disable=SC2034 # read by the fake nvidia-smi's timestamp field
  SIM_NOW_STAMP=${now#*|}
}

# utilization.gpu of GPU $1 at SIM_NOW_MS (sim_read_clock), as SIM_GPU_LOAD describes it.
sim_gpu_utilization() {
  local index="$1" loads spec busy every percent now window start overlap
  if [ -z "$SIM_GPU_LOAD" ]; then
    echo "$((index % 3))"
    return
  fi
  read -r -a loads <<<"$SIM_GPU_LOAD"
  if [ "$index" -lt "${#loads[@]}" ]; then spec=${loads[$index]}; else spec=${loads[${#loads[@]} - 1]}; fi
  case "$spec" in
    bursty*)
      IFS=: read -r _ busy every percent <<<"$spec"
      busy=${busy:-500} every=${every:-5000} percent=${percent:-99}
      # The overlap of the sample period (now - SIM_NVML_SAMPLE_MS, now] with the burst of this cycle.
      now=${SIM_NOW_MS:-0} window=$SIM_NVML_SAMPLE_MS
      start=$((now - now % every))
      overlap=$(((now < start + busy ? now : start + busy) - (now - window > start ? now - window : start)))
      if ((overlap < 0)); then overlap=0; fi
      echo "$((percent * overlap / window))"
      ;;
    *) echo "$spec" ;;
  esac
}

# Faults in which the GPU is not usable at all, so containers and Ollama cannot see it either.
sim_gpu_broken() {
  case "$SIM_FAULT" in
    no-driver | no-devices | driver-mismatch | nvml-error) return 0 ;;
    *) return 1 ;;
  esac
}
