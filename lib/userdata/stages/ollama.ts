/** Stage `ollama`: the Ollama server in Docker on the chosen GPUs, reachable on localhost only. */

// Ollama has no authentication: the port is published on 127.0.0.1 only, never on 0.0.0.0.
// --gpus must name the same devices as NVIDIA_VISIBLE_DEVICES: `--gpus all` would expose every GPU.
// A VRAM cap becomes OLLAMA_GPU_OVERHEAD (bytes Ollama leaves free per GPU) = total - cap, read from the
// first visible GPU at run time because the instance type is known only then.
// With a workspace the models live on it (pulled once, kept across instances); a cold load from NFS is slow, so
// Ollama waits longer for it (OLLAMA_LOAD_TIMEOUT, default 5 minutes).
const OLLAMA_STAGE = `stage_ollama() {
  local gpus_arg=all first_gpu=0 total_mib overhead=0 i ready=0
  local -a env_args volume_args=()
  if [[ $OLLAMA_ENABLED != true ]]; then
    log "Ollama disabled; skipping"
    STAGE_MESSAGE="skipped: Ollama disabled"
    return 0
  fi
  env_args=(-e "NVIDIA_VISIBLE_DEVICES=$OLLAMA_VISIBLE_DEVICES" -e 'NVIDIA_DRIVER_CAPABILITIES=compute,utility')
  if [[ $OLLAMA_VISIBLE_DEVICES != all ]]; then
    gpus_arg="\\"device=$OLLAMA_VISIBLE_DEVICES\\""
    first_gpu=\${OLLAMA_VISIBLE_DEVICES%%,*}
    env_args+=(-e "CUDA_VISIBLE_DEVICES=$OLLAMA_CUDA_VISIBLE_DEVICES")
  fi
  if [[ -n $WORKSPACE_FILE_SYSTEM_ID ]]; then
    env_args+=(-e OLLAMA_MODELS=/workspace/ollama -e OLLAMA_LOAD_TIMEOUT=15m)
    volume_args=(-v "$ROOT/workspace/ollama:/workspace/ollama")
  fi
  if [[ -n $OLLAMA_MAX_VRAM_MIB ]]; then
    total_mib=$(nvidia-smi -i "$first_gpu" --query-gpu=memory.total --format=csv,noheader,nounits | head -n 1 | tr -dc '0-9')
    [[ -n $total_mib ]] || die "cannot read memory.total of GPU $first_gpu"
    if ((total_mib > OLLAMA_MAX_VRAM_MIB)); then overhead=$(((total_mib - OLLAMA_MAX_VRAM_MIB) * 1048576)); fi
    log "GPU $first_gpu has $total_mib MiB; cap $OLLAMA_MAX_VRAM_MIB MiB; OLLAMA_GPU_OVERHEAD=$overhead"
    env_args+=(-e "OLLAMA_GPU_OVERHEAD=$overhead")
  fi
  if docker container inspect ollama >/dev/null 2>&1; then
    log "replacing the existing ollama container"
    docker rm -f ollama
  fi
  retry pull_image "$OLLAMA_IMAGE" "set ollama.image to a copy in a registry without that limit (your own ECR repository, for example)"
  docker run -d --name ollama --restart unless-stopped --gpus "$gpus_arg" "\${env_args[@]}" \\
    -p 127.0.0.1:11434:11434 \${volume_args[@]+"\${volume_args[@]}"} -v ollama:/root/.ollama "$OLLAMA_IMAGE"
  for ((i = 0; i < 60; i++)); do
    if curl -fsS --max-time 2 http://127.0.0.1:11434/api/version >/dev/null 2>&1; then
      ready=1
      break
    fi
    sleep 1
  done
  [[ $ready -eq 1 ]] || die "Ollama API did not answer on 127.0.0.1:11434 within 60 s"
  if [[ -n $OLLAMA_MODEL ]]; then
    retry docker exec ollama ollama pull "$OLLAMA_MODEL"
  fi
  STAGE_MESSAGE="Ollama listening on 127.0.0.1:11434\${OLLAMA_MODEL:+ with $OLLAMA_MODEL}"
}
`;

/**
 * @example
 * renderOllamaStage().includes('127.0.0.1:11434:11434'); // true
 */
export const renderOllamaStage = (): string => OLLAMA_STAGE;
