#!/usr/bin/env bash
# gpu-deploy health check (schemaVersion 1).
#
# Gathers raw facts about the NVIDIA GPU, Docker's GPU runtime, Ollama and the instance set-up status, and prints
# exactly one JSON document on stdout. It interprets nothing: lib/verify/report.ts does that, so the same logic
# serves SSM Run Command on a deployed host and `gpu-deploy doctor` on a user's machine.
#
# Every capture is base64-encoded, so the document is always valid JSON, and cut to its probe's cap and to what is
# left of CAPTURE_BUDGET_BYTES, so the document stays under the 24,000 characters of stdout that SSM's
# GetCommandInvocation returns, even on the biggest hosts (8 GPUs with 7 MIG devices each): base64 makes the
# budget 20,000 characters, the JSON around the captures at most about 3,100 (config strings are cut to 200).
# The probes that carry the facts run first; the plain table, read only for its header, takes what is left.
# A successful probe's stderr (pull progress, warnings) is not kept. Exit status is 0 unless misused.
set -u

readonly TOOL_NAME="gpu-deploy-health-check"
readonly CAPTURE_BUDGET_BYTES=15000
readonly STDERR_CAP_BYTES=1024
readonly CONFIG_STRING_MAX=200
readonly OLLAMA_BASE_URL="http://127.0.0.1:11434"
readonly NVIDIA_QUERY="index,name,uuid,memory.total,memory.used,utilization.gpu,temperature.gpu,power.draw,persistence_mode,mig.mode.current,driver_version"

usage() {
  cat <<'USAGE'
Usage: health-check.sh [--skip-docker] [--skip-ollama] [--help]

Prints one JSON document describing this host's GPU, Docker GPU runtime and Ollama.

  --skip-docker   run no Docker probe at all (not `docker info`, not the --gpus all container, not Ollama's
                  container logs): the GPU alone decides, on a host without Docker too
  --skip-ollama   do not query Ollama's API or its container logs
  --help          show this help

Environment:
  GPU_DEPLOY_PROBE_TIMEOUT        seconds per probe (default 20)
  GPU_DEPLOY_DOCKER_RUN_TIMEOUT   seconds for the CUDA container run, which may pull an image (default 120)
  GPU_DEPLOY_CUDA_TEST_IMAGE      image for the container run (default public.ecr.aws/docker/library/ubuntu:24.04)
  GPU_DEPLOY_OLLAMA_CONTAINER     Ollama container name (default ollama)
  GPU_DEPLOY_STATUS_FILE          instance set-up status file (default /var/lib/gpu-deploy/status.json)
  GPU_DEPLOY_WORKSPACE_PATH       where the workspace (EFS) is mounted (default /workspace)
USAGE
}

# A whole number of seconds, or the default: a bad value must not break the whole check.
seconds_or_default() {
  case "$1" in
    '' | *[!0-9]* | 0) printf '%s' "$2" ;;
    *) printf '%s' "$1" ;;
  esac
}

PROBE_TIMEOUT="$(seconds_or_default "${GPU_DEPLOY_PROBE_TIMEOUT:-}" 20)"
DOCKER_RUN_TIMEOUT="$(seconds_or_default "${GPU_DEPLOY_DOCKER_RUN_TIMEOUT:-}" 120)"
CUDA_TEST_IMAGE="${GPU_DEPLOY_CUDA_TEST_IMAGE:-public.ecr.aws/docker/library/ubuntu:24.04}"
OLLAMA_CONTAINER="${GPU_DEPLOY_OLLAMA_CONTAINER:-ollama}"
STATUS_FILE="${GPU_DEPLOY_STATUS_FILE:-/var/lib/gpu-deploy/status.json}"
WORKSPACE_PATH="${GPU_DEPLOY_WORKSPACE_PATH:-/workspace}"

SKIP_DOCKER=0
SKIP_OLLAMA=0
while [ "$#" -gt 0 ]; do
  case "$1" in
    --skip-docker) SKIP_DOCKER=1 ;;
    --skip-ollama) SKIP_OLLAMA=1 ;;
    --help | -h)
      usage
      exit 0
      ;;
    *)
      printf 'health-check.sh: unknown argument: %s\n' "$1" >&2
      usage >&2
      exit 2
      ;;
  esac
  shift
done

# Keep the real stdout on fd 3 for the document; anything else a probe or tool prints goes to stderr.
exec 3>&1 1>&2

WORK_DIR="$(mktemp -d "${TMPDIR:-/tmp}/gpu-deploy-health.XXXXXX")" || exit 1
trap 'rm -rf "$WORK_DIR"' EXIT
OUT_FILE="$WORK_DIR/stdout"
ERR_FILE="$WORK_DIR/stderr"

PROBES_JSON=""
BUDGET_LEFT=$CAPTURE_BUDGET_BYTES
RESERVED=0

# A JSON string literal: escape backslashes and quotes, drop control characters.
json_string() {
  local value="$1"
  value="${value//\\/\\\\}"
  value="${value//\"/\\\"}"
  value="$(printf '%s' "$value" | tr -d '\000-\037')"
  printf '"%s"' "$value"
}

# The first $2 bytes of a file, base64 on one line.
capture_b64() {
  head -c "$2" "$1" | base64 | tr -d '\n'
}

# How much of a probe's stdout is kept. The query and the -L list carry the facts (-L of 8 GPUs with 7 MIG devices
# is about 5 KB); the plain table adds only the CUDA version of its header.
stdout_cap() {
  case "$1" in
    nvidiaSmiList) printf 6144 ;;
    nvidiaSmiQuery) printf 4096 ;;
    nvidiaSmiPlain) printf 2048 ;;
    dockerGpuRun | ollamaPs | ollamaLogs | userDataStatus) printf 2048 ;;
    *) printf 512 ;;
  esac
}

# Takes min(SIZE, CAP, what is left of the budget) bytes out of the budget, into RESERVED (not a subshell: the
# budget is this shell's variable).
reserve() {
  RESERVED=$1
  if [ "$RESERVED" -gt "$2" ]; then RESERVED=$2; fi
  if [ "$RESERVED" -gt "$BUDGET_LEFT" ]; then RESERVED=$BUDGET_LEFT; fi
  BUDGET_LEFT=$((BUDGET_LEFT - RESERVED))
}

file_size() {
  wc -c <"$1" | tr -d ' '
}

add_probe() {
  local entry
  entry="$(json_string "$1"):$2"
  if [ -z "$PROBES_JSON" ]; then PROBES_JSON="$entry"; else PROBES_JSON="$PROBES_JSON,$entry"; fi
}

# Record a probe that ran, from its exit code and the capture files. `truncated`: a kept capture was cut.
add_ran_probe() {
  local name="$1" exit_code="$2" out_file="$3" err_file="$4" truncated=false out_size err_size out_bytes err_bytes=0
  out_size="$(file_size "$out_file")"
  err_size="$(file_size "$err_file")"
  reserve "$out_size" "$(stdout_cap "$name")"
  out_bytes=$RESERVED
  if [ "$exit_code" -ne 0 ]; then
    reserve "$err_size" "$STDERR_CAP_BYTES"
    err_bytes=$RESERVED
    if [ "$err_bytes" -lt "$err_size" ]; then truncated=true; fi
  fi
  if [ "$out_bytes" -lt "$out_size" ]; then truncated=true; fi
  add_probe "$name" "{\"ran\":true,\"exitCode\":$exit_code,\"stdoutB64\":\"$(capture_b64 "$out_file" "$out_bytes")\",\"stderrB64\":\"$(capture_b64 "$err_file" "$err_bytes")\",\"truncated\":$truncated}"
}

add_skipped_probe() {
  add_probe "$1" "{\"ran\":false,\"skipped\":$(json_string "$2")}"
}

# run_probe NAME SECONDS COMMAND...: run under timeout (exit 124 when it expires), capture stdout and stderr.
run_probe() {
  local name="$1" seconds="$2" exit_code
  shift 2
  timeout --kill-after=2 "$seconds" "$@" >"$OUT_FILE" 2>"$ERR_FILE" </dev/null
  exit_code=$?
  add_ran_probe "$name" "$exit_code" "$OUT_FILE" "$ERR_FILE"
}

# Whether a command is on PATH, recorded as a probe (stdout is its path).
probe_presence() {
  local name="$1" command_name="$2" exit_code
  command -v "$command_name" >"$OUT_FILE" 2>"$ERR_FILE"
  exit_code=$?
  add_ran_probe "$name" "$exit_code" "$OUT_FILE" "$ERR_FILE"
  return "$exit_code"
}

# Ollama logs to stderr and its logs are long: keep only the lines that say where inference runs.
probe_ollama_logs() {
  local filtered="$WORK_DIR/ollama-lines" error_lines="$WORK_DIR/ollama-errors" exit_code
  timeout --kill-after=2 "$PROBE_TIMEOUT" docker logs --tail 2000 "$OLLAMA_CONTAINER" >"$OUT_FILE" 2>"$ERR_FILE" </dev/null
  exit_code=$?
  # The newest lines decide (the container may have restarted): keep the end, cut from the front.
  cat "$OUT_FILE" "$ERR_FILE" | grep -E 'msg="inference compute"|no compatible GPUs' | tail -n 20 | tail -c "$(stdout_cap ollamaLogs)" >"$filtered"
  # On success stderr holds the log itself; only a failure's own message is worth keeping.
  : >"$error_lines"
  if [ "$exit_code" -ne 0 ]; then tail -n 5 "$ERR_FILE" >"$error_lines"; fi
  add_ran_probe ollamaLogs "$exit_code" "$filtered" "$error_lines"
}

# The container's `nvidia-smi -L` is read for its GPU count: its MIG device lines (up to 7 per GPU) are left out.
probe_docker_gpu_run() {
  local gpu_lines="$WORK_DIR/docker-gpus" exit_code
  timeout --kill-after=2 "$DOCKER_RUN_TIMEOUT" docker run --rm --gpus all "$CUDA_TEST_IMAGE" nvidia-smi -L >"$OUT_FILE" 2>"$ERR_FILE" </dev/null
  exit_code=$?
  if [ "$exit_code" -eq 0 ]; then grep -E '^GPU ' "$OUT_FILE" >"$gpu_lines"; else cp "$OUT_FILE" "$gpu_lines"; fi
  add_ran_probe dockerGpuRun "$exit_code" "$gpu_lines" "$ERR_FILE"
}

probe_nvidia() {
  if ! probe_presence nvidiaSmiPresence nvidia-smi; then
    add_skipped_probe nvidiaSmiQuery "nvidia-smi is not on PATH"
    add_skipped_probe nvidiaSmiList "nvidia-smi is not on PATH"
    return 1
  fi
  run_probe nvidiaSmiQuery "$PROBE_TIMEOUT" nvidia-smi "--query-gpu=$NVIDIA_QUERY" --format=csv,noheader,nounits
  run_probe nvidiaSmiList "$PROBE_TIMEOUT" nvidia-smi -L
}

# Last, with what is left of the budget.
probe_nvidia_table() {
  if [ "$1" -ne 0 ]; then
    add_skipped_probe nvidiaSmiPlain "nvidia-smi is not on PATH"
    return
  fi
  run_probe nvidiaSmiPlain "$PROBE_TIMEOUT" nvidia-smi
}

probe_docker() {
  if [ "$SKIP_DOCKER" -eq 1 ]; then
    add_skipped_probe dockerPresence "--skip-docker"
    add_skipped_probe dockerInfo "--skip-docker"
    add_skipped_probe dockerGpuRun "--skip-docker"
    return
  fi
  if ! probe_presence dockerPresence docker; then
    add_skipped_probe dockerInfo "docker is not on PATH"
    add_skipped_probe dockerGpuRun "docker is not on PATH"
    return
  fi
  run_probe dockerInfo "$PROBE_TIMEOUT" docker info --format '{{.DefaultRuntime}}'
  probe_docker_gpu_run
}

probe_ollama() {
  if [ "$SKIP_OLLAMA" -eq 1 ]; then
    add_skipped_probe ollamaVersion "--skip-ollama"
    add_skipped_probe ollamaPs "--skip-ollama"
    add_skipped_probe ollamaLogs "--skip-ollama"
    return
  fi
  run_probe ollamaVersion "$PROBE_TIMEOUT" curl -fsS --max-time 5 "$OLLAMA_BASE_URL/api/version"
  run_probe ollamaPs "$PROBE_TIMEOUT" curl -fsS --max-time 5 "$OLLAMA_BASE_URL/api/ps"
  if [ "$SKIP_DOCKER" -eq 1 ]; then
    add_skipped_probe ollamaLogs "--skip-docker"
  elif command -v docker >/dev/null 2>&1; then
    probe_ollama_logs
  else
    add_skipped_probe ollamaLogs "docker is not on PATH"
  fi
}

probe_userdata_status() {
  run_probe userDataStatus "$PROBE_TIMEOUT" cat "$STATUS_FILE"
}

# The workspace: what is mounted at WORKSPACE_PATH (findmnt, util-linux), what the set-up recorded of it (beside
# the status file), and a small write read back when something is mounted there.
probe_workspace() {
  local check="$WORK_DIR/workspace-check.$$"
  run_probe workspaceSetup "$PROBE_TIMEOUT" cat "${STATUS_FILE%/*}/workspace.json"
  if ! command -v findmnt >/dev/null 2>&1; then
    add_skipped_probe workspaceMount "findmnt is not on PATH"
    add_skipped_probe workspaceWrite "findmnt is not on PATH"
    return
  fi
  run_probe workspaceMount "$PROBE_TIMEOUT" findmnt -n -o SOURCE,FSTYPE,OPTIONS --mountpoint "$WORKSPACE_PATH"
  if ! findmnt -n --mountpoint "$WORKSPACE_PATH" >/dev/null 2>&1; then
    add_skipped_probe workspaceWrite "nothing is mounted at the workspace path"
    return
  fi
  printf 'gpu-deploy health check %s\n' "$$" >"$check"
  # shellcheck disable=SC2016 # $1 and $2 are the inner shell's arguments
  run_probe workspaceWrite "$PROBE_TIMEOUT" sh -c 'cp "$1" "$2" && [ "$(cat "$2")" = "$(cat "$1")" ]; s=$?; rm -f "$2"; exit "$s"' sh "$check" "$WORKSPACE_PATH/.gpu-deploy-health-check.$$"
}

# The set-up status first (whether the check is judged at all), the plain table last.
probe_userdata_status
probe_nvidia
NVIDIA_PRESENT=$?
probe_docker
probe_ollama
probe_workspace
probe_nvidia_table "$NVIDIA_PRESENT"

CONFIG_JSON="{\"probeTimeoutSeconds\":$PROBE_TIMEOUT,\"dockerRunTimeoutSeconds\":$DOCKER_RUN_TIMEOUT"
CONFIG_JSON="$CONFIG_JSON,\"cudaTestImage\":$(json_string "${CUDA_TEST_IMAGE:0:$CONFIG_STRING_MAX}")"
CONFIG_JSON="$CONFIG_JSON,\"ollamaContainer\":$(json_string "${OLLAMA_CONTAINER:0:$CONFIG_STRING_MAX}")"
CONFIG_JSON="$CONFIG_JSON,\"statusFile\":$(json_string "${STATUS_FILE:0:$CONFIG_STRING_MAX}")"
CONFIG_JSON="$CONFIG_JSON,\"workspacePath\":$(json_string "${WORKSPACE_PATH:0:$CONFIG_STRING_MAX}")}"

printf '{"schemaVersion":1,"tool":"%s","checkedAt":"%s","hostname":%s,"config":%s,"probes":{%s}}\n' \
  "$TOOL_NAME" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(json_string "$(uname -n)")" "$CONFIG_JSON" "$PROBES_JSON" >&3
