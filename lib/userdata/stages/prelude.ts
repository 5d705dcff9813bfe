/**
 * The top of the script: strict mode, the readonly value block, paths, logging, the status file, the
 * ERR/EXIT traps that name the failing stage, and the `retry` helper.
 */
import { readonlyAssignment } from '../quote.js';

/** Values the script reads, by variable name. Every one is single-quoted into a `readonly` line. */
export type ScriptValues = Readonly<Record<string, string>>;

const valueBlock = (values: ScriptValues): string =>
  Object.entries(values)
    .map(([name, value]) => readonlyAssignment(name, value))
    .join('\n');

/**
 * @example
 * renderPrelude({ DEPLOYMENT_ID: 'dep-1' }).startsWith('#!/bin/bash\n'); // true
 */
export const renderPrelude = (values: ScriptValues): string => `#!/bin/bash
# gpu-deploy UserData: NVIDIA driver, Docker GPU runtime and Ollama. Progress: status.json + setup.log.
set -Eeuo pipefail
umask 022

# User values: validated, and single-quoted so they stay data. Referenced only as "$NAME".
${valueBlock(values)}

# GPU_DEPLOY_* overrides exist only so tests can run this script in a scratch root without root.
readonly ROOT="\${GPU_DEPLOY_ROOT:-}"
readonly STATE_DIR="\${GPU_DEPLOY_STATE_DIR:-$ROOT/var/lib/gpu-deploy}"
readonly LOG_DIR="\${GPU_DEPLOY_LOG_DIR:-$ROOT/var/log/gpu-deploy}"
readonly STATUS_FILE="$STATE_DIR/status.json"
readonly LOG_FILE="$LOG_DIR/setup.log"
readonly DOWNLOAD_DIR="$STATE_DIR/downloads"
CURRENT_STAGE=init
STAGE_MESSAGE=
FINISHED=0

mkdir -p "$STATE_DIR" "$LOG_DIR" "$DOWNLOAD_DIR"
exec 3>&2 # the console (cloud-init-output.log); stage output goes to LOG_FILE

log() {
  local line
  line="$(date -u +%Y-%m-%dT%H:%M:%SZ) [gpu-deploy] $*"
  printf '%s\\n' "$line" >>"$LOG_FILE"
  printf '%s\\n' "$line" >&3
}

json_escape() {
  local s=$1
  s=\${s//\\\\/\\\\\\\\}
  s=\${s//\\"/\\\\\\"}
  s=\${s//$'\\n'/\\\\n}
  s=\${s//$'\\r'/\\\\r}
  s=\${s//$'\\t'/\\\\t}
  s=\${s//[[:cntrl:]]/ }
  printf '%s' "$s"
}

# Written to a temp file and renamed, so a reader never sees half a document.
write_status() {
  local tmp="$STATUS_FILE.tmp.$$" stage outcome message now id
  stage=$(json_escape "$1")
  outcome=$2
  message=$(json_escape "$3")
  now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  id=$(json_escape "$DEPLOYMENT_ID")
  printf '{"stage":"%s","outcome":"%s","message":"%s","updatedAt":"%s","deploymentId":"%s"}\\n' \\
    "$stage" "$outcome" "$message" "$now" "$id" >"$tmp"
  mv -f "$tmp" "$STATUS_FILE"
}

fail_stage() {
  FINISHED=1
  log "stage $CURRENT_STAGE failed: $1"
  write_status "$CURRENT_STAGE" failed "$1"
}

die() {
  fail_stage "$*"
  exit 1
}

on_error() {
  trap - ERR
  fail_stage "exit $1 at line $2: $3"
  exit "$1"
}

# Failures ERR cannot see (set -u, a failing exit) still leave a failed status naming the stage.
on_exit() {
  local code=$?
  if [[ $code -ne 0 && $FINISHED -eq 0 ]]; then fail_stage "exited with code $code"; fi
}

trap 'on_error "$?" "$LINENO" "$BASH_COMMAND"' ERR
trap on_exit EXIT

# retry CMD...: 5 attempts, 5/10/20/40 s apart, for anything that downloads or installs; then the stage fails.
retry() {
  local attempt=1 delay=5
  until "$@"; do
    if [[ $attempt -ge 5 ]]; then die "gave up after $attempt attempts: $*"; fi
    log "attempt $attempt failed, retrying in \${delay}s: $*"
    sleep "$delay"
    attempt=$((attempt + 1))
    delay=$((delay * 2))
  done
}

run_stage() {
  CURRENT_STAGE=$1
  STAGE_MESSAGE=
  log "stage $1: started"
  write_status "$1" running started
  "$2" >>"$LOG_FILE" 2>&1
  write_status "$1" succeeded "\${STAGE_MESSAGE:-done}"
  log "stage $1: succeeded"
}
`;
