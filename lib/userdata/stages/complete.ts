/** The entry point: runs the stages in order and records `complete` only when all of them succeeded. */

/**
 * @example
 * renderMain().includes('write_status complete succeeded'); // true
 */
export const renderMain = (): string => `main() {
  log "deployment $DEPLOYMENT_ID: setup started"
  run_stage packages stage_packages
  run_stage nvidia-driver stage_nvidia_driver
  run_stage docker stage_docker
  run_stage workspace stage_workspace
  run_stage ollama stage_ollama
  CURRENT_STAGE=complete
  write_status complete succeeded "GPU host ready"
  FINISHED=1
  log "deployment $DEPLOYMENT_ID: setup complete"
}

main
`;
