/** Stage `docker`: Docker, the NVIDIA container toolkit as the default runtime, and a GPU smoke test. */
import type { OsType } from '../../types.js';

const INSTALL_DOCKER: Record<OsType, string> = {
  'ubuntu-22.04': 'retry refresh_and_install docker.io',
  'ubuntu-24.04': 'retry refresh_and_install docker.io',
  'amazon-linux-2023': 'retry pkg_install docker',
  'amazon-linux-2': 'retry amazon-linux-extras install -y docker',
};

// apt: NVIDIA's list, rewritten to trust only NVIDIA's key (signed-by), as NVIDIA's install guide does.
const APT_TOOLKIT = `install_container_toolkit() {
  local keyring=/usr/share/keyrings/nvidia-container-toolkit-keyring.gpg
  mkdir -p "$ROOT/usr/share/keyrings" "$ROOT/etc/apt/sources.list.d"
  retry curl -fsSL -o "$DOWNLOAD_DIR/nvidia-container-toolkit.gpgkey" "$NVIDIA_CTK_GPGKEY_URL"
  gpg --batch --yes --dearmor -o "$ROOT$keyring" "$DOWNLOAD_DIR/nvidia-container-toolkit.gpgkey"
  retry curl -fsSL -o "$DOWNLOAD_DIR/nvidia-container-toolkit.list" "$NVIDIA_CTK_LIST_URL"
  sed "s#deb https://#deb [signed-by=$keyring] https://#g" "$DOWNLOAD_DIR/nvidia-container-toolkit.list" \\
    >"$ROOT/etc/apt/sources.list.d/nvidia-container-toolkit.list"
  retry refresh_and_install nvidia-container-toolkit
}
`;

const RPM_TOOLKIT = `install_container_toolkit() {
  mkdir -p "$ROOT/etc/yum.repos.d"
  retry curl -fsSL -o "$ROOT/etc/yum.repos.d/nvidia-container-toolkit.repo" "$NVIDIA_CTK_REPO_URL"
  retry pkg_install nvidia-container-toolkit
}
`;

// Docker Hub limits anonymous pulls per IP, and retrying does not lift the limit: the refusal fails the stage at
// once, by its name (toomanyrequests), with the fix the caller passes.
const PULL_IMAGE = `pull_image() {
  local out
  if out=$(docker pull "$1" 2>&1); then return 0; fi
  printf '%s\\n' "$out"
  if [[ $out == *toomanyrequests* ]]; then
    die "docker pull $1 refused: toomanyrequests (the registry's anonymous pull rate limit)\${2:+; $2}"
  fi
  return 1
}
`;

/**
 * @example
 * renderDockerStage('amazon-linux-2').includes('amazon-linux-extras install -y docker'); // true
 */
export const renderDockerStage = (osType: OsType): string => `${osType.startsWith('ubuntu') ? APT_TOOLKIT : RPM_TOOLKIT}
${PULL_IMAGE}
stage_docker() {
  local runtime
  if ! command -v docker >/dev/null 2>&1; then
    ${INSTALL_DOCKER[osType]}
  fi
  systemctl enable --now docker
  # DLAMIs ship the toolkit; install it only where it is missing.
  if ! command -v nvidia-ctk >/dev/null 2>&1; then
    install_container_toolkit
  fi
  nvidia-ctk runtime configure --runtime=docker --set-as-default
  systemctl restart docker
  runtime=$(docker info --format '{{.DefaultRuntime}}')
  [[ $runtime == nvidia ]] || die "Docker default runtime is '$runtime', expected nvidia"
  retry pull_image "$GPU_CHECK_IMAGE"
  # A plain image: the toolkit mounts the host's nvidia-smi into it.
  docker run --rm --gpus all "$GPU_CHECK_IMAGE" nvidia-smi -L
  STAGE_MESSAGE="GPU visible in Docker (default runtime nvidia)"
}
`;
