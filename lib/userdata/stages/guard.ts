/**
 * The guard stage: installs the lifetime backstop and idle guard (a systemd timer and service, and their script)
 * before the set-up stages, so the deadline holds even when set-up hangs or fails. Runs at the top level, ahead of
 * main. Each run of the guard lasts its minute (it measures the GPUs throughout); the timer starts the next one a
 * second after it ends (OnUnitInactiveSec), and once a minute in any case (OnUnitActiveSec).
 */
import { EXPIRES_AT_FILE, GUARD_PATH, GUARD_RUN_LIMIT_SECONDS, GUARD_UNIT, IDLE_POLICY_FILE, guardScript } from './guard-script.js';

/**
 * @example
 * renderGuardStage().includes('systemctl enable --now gpu-deploy-guard.timer'); // true
 */
export const renderGuardStage = (): string => `
install_guard() {
  local bin="$ROOT${GUARD_PATH}" units="$ROOT/etc/systemd/system"
  mkdir -p "\${bin%/*}" "$units"
  if [[ -n $EXPIRES_AT_EPOCH ]]; then printf '%s\\n' "$EXPIRES_AT_EPOCH" >"$STATE_DIR/${EXPIRES_AT_FILE}"; fi
  if [[ -n $IDLE_MINUTES ]]; then printf '%s %s\\n' "$IDLE_MINUTES" "$IDLE_BELOW_PERCENT" >"$STATE_DIR/${IDLE_POLICY_FILE}"; fi
  cat >"$bin" <<'GUARD'
${guardScript()}GUARD
  chmod 755 "$bin"
  printf '[Unit]\\nDescription=gpu-deploy lifetime backstop and idle guard\\n[Service]\\nType=oneshot\\nTimeoutStartSec=${GUARD_RUN_LIMIT_SECONDS}\\nExecStart=${GUARD_PATH}\\n' \\
    >"$units/${GUARD_UNIT}.service"
  printf '[Unit]\\nDescription=gpu-deploy guard, one judgement a minute\\n[Timer]\\nOnBootSec=1min\\nOnUnitActiveSec=1min\\nOnUnitInactiveSec=1s\\nAccuracySec=1s\\n[Install]\\nWantedBy=timers.target\\n' \\
    >"$units/${GUARD_UNIT}.timer"
  systemctl daemon-reload
  systemctl enable --now ${GUARD_UNIT}.timer
}

CURRENT_STAGE=guard
install_guard >>"$LOG_FILE" 2>&1
log "guard: lifetime \${EXPIRES_AT_EPOCH:-none} (epoch s), idle policy \${IDLE_MINUTES:-none} min below \${IDLE_BELOW_PERCENT:-0}%"
`;
