/**
 * The guard that a systemd timer runs on the instance once a minute (installed by the guard stage): the lifetime
 * backstop and the idle teardown. Its settings are files in the state directory, so `gpu-deploy extend` can move
 * the deadline with one Run Command: `expires-at` (epoch seconds) and `idle-policy` (`MINUTES BELOW_PERCENT`).
 */

/** Where the guard and its units are installed (under GPU_DEPLOY_ROOT in tests). */
export const GUARD_PATH = '/usr/local/sbin/gpu-deploy-guard';
export const GUARD_UNIT = 'gpu-deploy-guard';
/** The deadline file, in the state directory: seconds since the epoch, one line. Absent: no lifetime. */
export const EXPIRES_AT_FILE = 'expires-at';
export const IDLE_POLICY_FILE = 'idle-policy';
/** Seconds after the deadline before the backstop acts: the cloud's schedule tears down first. */
export const BACKSTOP_GRACE_SECONDS = 600;

/**
 * The guard script. One run is one sample; GPU_DEPLOY_STATE_DIR, GPU_DEPLOY_GUARD_PERIOD (seconds between
 * samples, for Ollama's request log) and GPU_DEPLOY_OLLAMA_URL exist so tests can run it in a scratch root.
 *
 * @example
 * guardScript().startsWith('#!/bin/bash'); // true
 */
export const guardScript = (): string => `#!/bin/bash
# gpu-deploy guard: lifetime backstop and idle teardown (one sample a run; gpu-deploy-guard.timer runs it each minute).
set -uo pipefail
STATE_DIR="\${GPU_DEPLOY_STATE_DIR:-/var/lib/gpu-deploy}"
STATUS_FILE="$STATE_DIR/status.json"
PERIOD="\${GPU_DEPLOY_GUARD_PERIOD:-60}"
OLLAMA_URL="\${GPU_DEPLOY_OLLAMA_URL:-http://127.0.0.1:11434}"
GRACE=${BACKSTOP_GRACE_SECONDS}
now=$(date -u +%s)

say() { printf 'gpu-deploy-guard: %s\\n' "$*"; } # stdout goes to the journal

# Records why in the status file and the journal, then shuts down: EC2 terminates the instance on shutdown.
stop_instance() {
  local id tmp="$STATUS_FILE.tmp.$$"
  id=$(sed -n 's/.*"deploymentId":"\\([A-Za-z0-9_-]*\\)".*/\\1/p' "$STATUS_FILE" 2>/dev/null)
  printf '{"stage":"shutdown","outcome":"%s","message":"%s","updatedAt":"%s","deploymentId":"%s"}\\n' \\
    "$1" "$2" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$id" >"$tmp" && mv -f "$tmp" "$STATUS_FILE"
  say "shutting down ($1): $2"
  shutdown -h now "gpu-deploy: $1"
  exit 0
}

if grep -q '"stage":"shutdown"' "$STATUS_FILE" 2>/dev/null; then say 'shutdown already under way'; exit 0; fi

if [[ -s $STATE_DIR/${EXPIRES_AT_FILE} ]]; then
  read -r deadline <"$STATE_DIR/${EXPIRES_AT_FILE}"
  if [[ $deadline =~ ^[0-9]+$ ]] && ((now >= deadline + GRACE)); then
    stop_instance lifetime "lifetime ended at epoch $deadline; nothing tore the deployment down within $GRACE s"
  fi
fi

[[ -s $STATE_DIR/${IDLE_POLICY_FILE} ]] || exit 0
read -r minutes below <"$STATE_DIR/${IDLE_POLICY_FILE}"
# Idle counts only once the deployment's own set-up finished.
if ! grep -q '"stage":"complete","outcome":"succeeded"' "$STATUS_FILE" 2>/dev/null; then say 'set-up not finished: not counting'; exit 0; fi

busy=
if ! usage=$(nvidia-smi --query-gpu=utilization.gpu --format=csv,noheader,nounits 2>/dev/null); then
  busy='nvidia-smi failed (never idle on an unknown GPU state)'
else
  while read -r value; do
    value=\${value//[!0-9.]/}
    if [[ -z $value ]] || awk -v u="$value" -v b="$below" 'BEGIN { exit !(u + 0 >= b + 0) }'; then busy="GPU at \${value:-?}%"; break; fi
  done <<<"$usage"
fi
if [[ -z $busy ]] && loaded=$(curl -fsS --max-time 5 "$OLLAMA_URL/api/ps" 2>/dev/null) && [[ $loaded == *'"name"'* ]]; then
  busy='Ollama has a model loaded'
fi
if [[ -z $busy ]] && command -v docker >/dev/null && docker logs --since "\${PERIOD}s" ollama 2>&1 | grep '\\[GIN\\]' | grep -qv '/api/ps'; then
  busy='Ollama answered a request'
fi
if [[ -z $busy ]] && pgrep -f ssm-session-worker >/dev/null; then busy='a Session Manager session is open'; fi

count=0
if [[ -z $busy ]]; then
  if [[ -s $STATE_DIR/idle-count ]]; then read -r count <"$STATE_DIR/idle-count"; fi
  [[ $count =~ ^[0-9]+$ ]] || count=0
  count=$((count + 1))
fi
printf '%s\\n' "$count" >"$STATE_DIR/idle-count"
if [[ -n $busy ]]; then say "busy: $busy"; exit 0; fi
say "idle sample $count of $minutes"
if ((count >= minutes)); then
  stop_instance idle "$count consecutive idle minutes: GPU below $below%, no Ollama model or request, no session"
fi
`;
