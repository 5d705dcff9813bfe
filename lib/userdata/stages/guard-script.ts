/**
 * The guard that a systemd timer runs on the instance, one run a minute (installed by the guard stage): the
 * lifetime backstop and the idle teardown. Its settings are files in the state directory, so `gpu-deploy extend` can move
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
/** systemd stops a guard run that outlives this (a run lasts its 60 s period plus Ollama's bounded checks). */
export const GUARD_RUN_LIMIT_SECONDS = 300;

/**
 * The guard script. One run is one judgement of one period: it measures each GPU's mean utilization over the
 * whole period from readings 5 times a second (never one instant: a real H200 busy 0.5 s of every 5 s read 0 in
 * 40 of 45 one-shot samples), then Ollama and sessions, and lasts the period so the timer's next run judges the
 * next one. GPU_DEPLOY_STATE_DIR, GPU_DEPLOY_GUARD_PERIOD (seconds, default 60) and GPU_DEPLOY_OLLAMA_URL exist so
 * tests can run it in a scratch root.
 *
 * @example
 * guardScript().startsWith('#!/bin/bash'); // true
 */
export const guardScript = (): string => `#!/bin/bash
# gpu-deploy guard: lifetime backstop and idle teardown. One run judges one period (GPU_DEPLOY_GUARD_PERIOD s,
# default 60) and lasts that long; gpu-deploy-guard.timer starts the next run a second after this one ends.
set -uo pipefail
STATE_DIR="\${GPU_DEPLOY_STATE_DIR:-/var/lib/gpu-deploy}"
STATUS_FILE="$STATE_DIR/status.json"
PERIOD="\${GPU_DEPLOY_GUARD_PERIOD:-60}"
[[ $PERIOD =~ ^[1-9][0-9]{0,3}$ ]] || PERIOD=60
OLLAMA_URL="\${GPU_DEPLOY_OLLAMA_URL:-http://127.0.0.1:11434}"
GRACE=${BACKSTOP_GRACE_SECONDS}
# utilization.gpu is the share of the last fraction of a second in which a kernel ran: read 5 times a second, a
# GPU busy 0.5 s of every 5 s averages 10%; read once a second, such a GPU can read 0 every time (aliasing).
READ_MS=200
started=$(date -u +%s)
now=$started

say() { printf 'gpu-deploy-guard: %s\\n' "$*"; } # stdout goes to the journal

# Every run lasts its period, so the timer's next run judges the next period and judgements never overlap.
finish() {
  local left=$((started + PERIOD - $(date -u +%s)))
  if ((left > 0)); then sleep "$left"; fi
  exit 0
}

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

# Each GPU's mean utilization over the period, from readings READ_MS apart, as one line: \`idle|...\`, \`busy|...\`
# (the busiest GPU at or above the threshold) or \`unknown|...\` (no readings, readings over less than half the
# period, or a GPU that reports none). nvidia-smi runs line-buffered and is stopped by SIGINT, as Ctrl-C stops its
# loop, so no reading stays in a buffer; a hung one is killed 5 s later.
measure_gpus() {
  local readings rc smi=(nvidia-smi '--query-gpu=timestamp,index,utilization.gpu' '--format=csv,noheader,nounits' -lms "$READ_MS")
  if command -v stdbuf >/dev/null; then smi=(stdbuf -oL "\${smi[@]}"); fi
  readings=$(timeout -s INT -k 5 "$PERIOD" "\${smi[@]}" 2>/dev/null)
  rc=$?
  printf '%s\\n' "$readings" | LC_ALL=C awk -F', *' -v below="$1" -v period="$PERIOD" -v step="$READ_MS" -v rc="$rc" '
    function seconds(stamp, part, clock) { split(stamp, part, " "); split(part[2], clock, ":"); return clock[1] * 3600 + clock[2] * 60 + clock[3] }
    NF >= 3 && $2 ~ /^[0-9]+$/ {
      t = seconds($1) + day
      if (n > 0 && t < last) { day += 86400; t += 86400 }
      if (n == 0) first = t
      last = t; n++; gpu = $2 + 0; seen[gpu] = 1
      if (gpu > top) top = gpu
      if ($3 ~ /^[0-9]+(\\.[0-9]+)?$/) { sum[gpu] += $3; count[gpu]++ } else bad[gpu] = $3
    }
    END {
      span = n > 0 ? last - first + step / 1000 : 0
      if (span < period / 2) {
        printf "unknown|nvidia-smi readings cover %.0f s of %d s", span, period
        if (rc != 124 && rc != 0) printf " (nvidia-smi exit %d)", rc
        print ""; exit
      }
      busiest = -1; list = ""
      for (g = 0; g <= top; g++) {
        if (!(g in seen)) continue
        if ((g in bad) || count[g] == 0) { printf "unknown|GPU %d reports no utilization (%s)\\n", g, bad[g]; exit }
        mean[g] = sum[g] / count[g]
        if (busiest < 0 || mean[g] > mean[busiest]) busiest = g
        list = list (list == "" ? "" : ", ") sprintf("GPU %d mean %.1f%%", g, mean[g])
        readings = count[g]; gpus++
      }
      over = sprintf(" over %.0f s", span)
      if (mean[busiest] >= below + 0) printf "busy|GPU %d mean %.1f%%%s (threshold %s%%)\\n", busiest, mean[busiest], over, below
      else printf "idle|%s%s (%d readings%s)\\n", list, over, readings, (gpus > 1 ? " each" : "")
    }'
}

if grep -q '"stage":"shutdown"' "$STATUS_FILE" 2>/dev/null; then say 'shutdown already under way'; finish; fi

if [[ -s $STATE_DIR/${EXPIRES_AT_FILE} ]]; then
  read -r deadline <"$STATE_DIR/${EXPIRES_AT_FILE}"
  if [[ $deadline =~ ^[0-9]+$ ]] && ((now >= deadline + GRACE)); then
    stop_instance lifetime "lifetime ended at epoch $deadline; nothing tore the deployment down within $GRACE s"
  fi
fi

[[ -s $STATE_DIR/${IDLE_POLICY_FILE} ]] || finish
read -r minutes below <"$STATE_DIR/${IDLE_POLICY_FILE}"
# Idle counts only once the deployment's own set-up finished.
if ! grep -q '"stage":"complete","outcome":"succeeded"' "$STATUS_FILE" 2>/dev/null; then say 'set-up not finished: not counting'; finish; fi

busy=
verdict=$(measure_gpus "$below")
gpus=\${verdict#*|}
case $verdict in
  idle'|'*) ;;
  busy'|'*) busy=$gpus ;;
  *) busy="GPU state unknown: $gpus (never idle on an unknown GPU state)" ;;
esac
# Ollama's requests since the previous judgement: this run's period and the pause before it.
since=$(($(date -u +%s) - started + 5))
if [[ -z $busy ]] && loaded=$(curl -fsS --max-time 5 "$OLLAMA_URL/api/ps" 2>/dev/null) && [[ $loaded == *'"name"'* ]]; then
  busy="Ollama has a model loaded; $gpus"
fi
if [[ -z $busy ]] && command -v docker >/dev/null && timeout 20 docker logs --since "\${since}s" ollama 2>&1 | grep '\\[GIN\\]' | grep -qv '/api/ps'; then
  busy="Ollama answered a request; $gpus"
fi
if [[ -z $busy ]] && pgrep -f ssm-session-worker >/dev/null; then busy="a Session Manager session is open; $gpus"; fi

count=0
if [[ -z $busy ]]; then
  if [[ -s $STATE_DIR/idle-count ]]; then read -r count <"$STATE_DIR/idle-count"; fi
  [[ $count =~ ^[0-9]+$ ]] || count=0
  count=$((count + 1))
fi
printf '%s\\n' "$count" >"$STATE_DIR/idle-count"
if [[ -n $busy ]]; then say "busy: $busy"; finish; fi
say "idle sample $count of $minutes: $gpus"
if ((count >= minutes)); then
  stop_instance idle "$count consecutive idle periods of $PERIOD s (the last: $gpus), every GPU below $below%; no Ollama model or request, no session"
fi
finish
`;
