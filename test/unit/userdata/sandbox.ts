/**
 * Test helpers: find shellcheck, and run a generated script in a scratch root whose PATH holds only stub
 * commands (which log their arguments) plus a few real coreutils, so nothing on the host is touched.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { repoRoot } from '../../../lib/local/paths.js';

export const REPO_ROOT = repoRoot();
export const BASH = '/bin/bash';

/** `<repo>/.venv/bin/shellcheck`, then env SHELLCHECK, then PATH; undefined when none exists. */
export const findShellcheck = (): string | undefined => {
  const candidates = [
    join(REPO_ROOT, '.venv', 'bin', 'shellcheck'),
    process.env.SHELLCHECK,
    ...(process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'shellcheck')),
  ];
  return candidates.find((path): path is string => path !== undefined && path !== '' && existsSync(path));
};

// Real tools the script may use; everything else must be a stub, or the run fails with "command not found".
const REAL_TOOLS = ['bash', 'sh', 'date', 'mkdir', 'mv', 'cat', 'sed', 'tr', 'head', 'rm', 'printf', 'cut', 'chmod', 'grep', 'ln'];

const STUBS = [
  'apt-get', 'dpkg', 'dnf', 'yum', 'amazon-linux-extras', 'curl', 'gpg', 'systemctl', 'modprobe', 'nvidia-smi',
  'nvidia-ctk', 'docker', 'ubuntu-drivers', 'flock', 'fuser', 'uname', 'sleep', 'apt-cache', 'rpm', 'python3',
  'mount', 'findmnt', 'mount.efs', 'mount.nfs4', 'chown', 'id',
];

// Per-command behaviour after the call is logged. Package managers "install" docker and nvidia-ctk by
// creating their stubs, so install paths can run too. A downloaded `.run` file is a script that logs its own
// arguments, so the runfile flags show in the calls log.
const runfileScript = (callsLog: string): string => `printf '%s' "\${0##*/}" >>${JSON.stringify(callsLog)}
printf ' %s' "$@" >>${JSON.stringify(callsLog)}
printf '\\n' >>${JSON.stringify(callsLog)}
`;

const behaviour = (stubDir: string): Record<string, string> => ({
  curl: `prev=; for a in "$@"; do
  if [[ $prev == -o ]]; then
    case "$a" in
      *.run) cp ${JSON.stringify(join(stubDir, '.templates', 'runfile'))} "$a" ;;
      *efs-utils-installer.sh) cp ${JSON.stringify(join(stubDir, '.templates', 'efs-installer'))} "$a" ;;
      *) : >"$a" ;;
    esac
  fi
  prev=$a
done`,
  // mount fails for the first STUB_MOUNT_FAILS calls (counted in a file), or always with STUB_MOUNT_NEVER; a
  // successful mount is remembered, and findmnt --mountpoint finds only what was mounted.
  mount: `n=$(cat "$HOME/.mount-calls" 2>/dev/null || echo 0); echo $((n + 1)) >"$HOME/.mount-calls"
if [[ -n \${STUB_MOUNT_NEVER:-} || $n -lt \${STUB_MOUNT_FAILS:-0} ]]; then echo "mount.nfs4: Failed to resolve server: Name or service not known" >&2; exit 32; fi
printf '%s\\n' "\${@: -1}" >>"$HOME/.mounted"`,
  findmnt: `prev=; for a in "$@"; do
  if [[ $prev == --mountpoint ]]; then grep -qxF -- "$a" "$HOME/.mounted" 2>/dev/null; exit; fi
  prev=$a
done
exit 1`,
  gpg: `prev=; for a in "$@"; do [[ $prev == -o ]] && : >"$a"; prev=$a; done`,
  'nvidia-smi': `case "$*" in
  *-L*) echo 'GPU 0: NVIDIA A10G (UUID: GPU-00000000)' ;;
  *memory.total*) echo '24576' ;;
esac`,
  docker: `case "$1 \${2:-}" in
  'info '*) echo "\${STUB_DOCKER_RUNTIME:-nvidia}" ;;
  'container inspect') [[ -n \${STUB_OLLAMA_EXISTS:-} ]] || exit 1 ;;
  'pull '*)
    if [[ $2 == "\${STUB_PULL_RATE_LIMITED:-}" ]]; then
      echo 'Error response from daemon: toomanyrequests: You have reached your unauthenticated pull rate limit. https://www.docker.com/increase-rate-limit' >&2
      exit 1
    fi ;;
esac`,
  uname: `case "$*" in -r) echo "\${STUB_KERNEL:-5.10.0-test}" ;; *) echo Linux ;; esac`,
  // fuser exits 0 (busy) for the first STUB_APT_BUSY calls, counted in a file.
  fuser: `n=$(cat "$HOME/.fuser-calls" 2>/dev/null || echo 0); echo $((n + 1)) >"$HOME/.fuser-calls"
[[ $n -lt \${STUB_APT_BUSY:-0} ]] || exit 1`,
  python3: 'exit 1',
  // apt-cache fails (package unknown) for the first STUB_APT_UNKNOWN calls, as after a refresh that lost a source.
  'apt-cache': `n=$(cat "$HOME/.apt-cache-calls" 2>/dev/null || echo 0); echo $((n + 1)) >"$HOME/.apt-cache-calls"
[[ $n -ge \${STUB_APT_UNKNOWN:-0} ]] || exit 100`,
  // yum knows dkms only once EPEL is enabled, when STUB_NO_DKMS is set.
  yum: `if [[ " $* " == *" dkms "* && -n \${STUB_NO_DKMS:-} && ! -e $HOME/.epel ]]; then exit 1; fi`,
  'amazon-linux-extras': `if [[ $* == 'install -y epel' ]]; then : >"$HOME/.epel"; fi`,
  rpm: `[[ -n \${STUB_KERNEL_PACKAGE:-} ]] || exit 1; echo "$STUB_KERNEL_PACKAGE"`,
  systemctl: `if [[ $1 == cat && -n \${STUB_NO_PERSISTENCED:-} ]]; then exit 1; fi`,
});

const INSTALLER = `for a in "$@"; do
  case "$a" in
    docker|docker.io) install_stub docker ;;
    nvidia-container-toolkit) install_stub nvidia-ctk ;;
    amazon-efs-utils) [[ -n \${STUB_NO_EFS_UTILS:-} ]] && exit 1; install_stub mount.efs ;;
    nfs-common|nfs-utils) install_stub mount.nfs4 ;;
  esac
done`;

// AWS's efs-utils installer as the curl stub downloads it: it logs its run and installs the mount helper.
const efsInstallerScript = (stubDir: string, callsLog: string): string => `printf 'efs-utils-installer.sh %s\\n' "$*" >>${JSON.stringify(callsLog)}
[ -z "\${STUB_NO_EFS_UTILS:-}" ] || exit 1
cp ${JSON.stringify(join(stubDir, '.templates', 'mount.efs'))} ${JSON.stringify(join(stubDir, 'mount.efs'))}
`;

const stubScript = (name: string, stubDir: string, callsLog: string): string => `#!/bin/bash
printf '%s' ${JSON.stringify(name)} >>${JSON.stringify(callsLog)}
for a in "$@"; do printf ' %s' "$a" >>${JSON.stringify(callsLog)}; done
printf '\\n' >>${JSON.stringify(callsLog)}
install_stub() { cp ${JSON.stringify(join(stubDir, '.templates'))}/"$1" ${JSON.stringify(stubDir)}/"$1"; }
if [[ " \${STUB_FAIL:-} " == *" ${name} "* ]]; then exit 1; fi
${['apt-get', 'dnf', 'yum', 'amazon-linux-extras'].includes(name) ? INSTALLER : ''}
${behaviour(stubDir)[name] ?? ''}
exit 0
`;

export interface Sandbox {
  root: string;
  stateDir: string;
  logDir: string;
  callsLog: string;
  path: string;
}

const whichReal = (tool: string): string => {
  const dir = ['/usr/bin', '/bin', '/usr/sbin', '/sbin'].find((d) => existsSync(join(d, tool)));
  if (dir === undefined) throw new Error(`test needs ${tool} on this machine`);
  return join(dir, tool);
};

const scratchRoots: string[] = [];

/** A fresh scratch directory, removed by {@link removeScratch}. */
export const makeScratch = (prefix: string): string => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  scratchRoots.push(dir);
  return dir;
};

/** Removes every scratch directory made so far (call from afterAll). */
export const removeScratch = (): void => {
  for (const dir of scratchRoots.splice(0)) rmSync(dir, { recursive: true, force: true });
};

/**
 * A scratch root with stubs; `absent` stubs are kept out of PATH until a package manager "installs" them. Like every
 * EC2 image, the root has a CA bundle, unless `absent` names `ca-certificates`.
 */
export const makeSandbox = (absent: readonly string[] = []): Sandbox => {
  const root = makeScratch('gpu-deploy-userdata-');
  const stubDir = join(root, 'stubs');
  const toolDir = join(root, 'tools');
  const callsLog = join(root, 'calls.log');
  mkdirSync(join(stubDir, '.templates'), { recursive: true });
  mkdirSync(toolDir);
  writeFileSync(callsLog, '');
  if (!absent.includes('ca-certificates')) {
    mkdirSync(join(root, 'etc/ssl/certs'), { recursive: true });
    writeFileSync(join(root, 'etc/ssl/certs/ca-certificates.crt'), '-----BEGIN CERTIFICATE-----\n');
  }
  for (const name of STUBS) {
    const text = stubScript(name, stubDir, callsLog);
    const template = join(stubDir, '.templates', name);
    writeFileSync(template, text);
    chmodSync(template, 0o755);
    if (!absent.includes(name)) {
      writeFileSync(join(stubDir, name), text);
      chmodSync(join(stubDir, name), 0o755);
    }
  }
  writeFileSync(join(stubDir, '.templates', 'runfile'), runfileScript(callsLog));
  writeFileSync(join(stubDir, '.templates', 'efs-installer'), efsInstallerScript(stubDir, callsLog));
  for (const tool of [...REAL_TOOLS, 'cp']) symlinkSync(whichReal(tool), join(toolDir, tool));
  return {
    root,
    stateDir: join(root, 'state'),
    logDir: join(root, 'log'),
    callsLog,
    path: [stubDir, toolDir].join(delimiter),
  };
};

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
  calls: string[];
  statusFile: Record<string, unknown> | undefined;
  setupLog: string;
}

const readJson = (path: string): Record<string, unknown> | undefined =>
  existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>) : undefined;

/** Runs the script with bash in the sandbox; `env` adds STUB_* switches. */
export const runInSandbox = (script: string, sandbox: Sandbox, env: Record<string, string> = {}): RunResult => {
  const scriptPath = join(sandbox.root, 'userdata.sh');
  writeFileSync(scriptPath, script);
  const result = spawnSync(BASH, [scriptPath], {
    encoding: 'utf8',
    env: {
      PATH: sandbox.path,
      HOME: sandbox.root,
      GPU_DEPLOY_ROOT: sandbox.root,
      GPU_DEPLOY_STATE_DIR: sandbox.stateDir,
      GPU_DEPLOY_LOG_DIR: sandbox.logDir,
      ...env,
    },
    timeout: 60_000,
  });
  const setupLogPath = join(sandbox.logDir, 'setup.log');
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    calls: readFileSync(sandbox.callsLog, 'utf8').split('\n').filter((line) => line !== ''),
    statusFile: readJson(join(sandbox.stateDir, 'status.json')),
    setupLog: existsSync(setupLogPath) ? readFileSync(setupLogPath, 'utf8') : '',
  };
};

/** `bash -c` prints its argument back: proves a quoted word round-trips literally. */
export const bashEcho = (quotedWord: string): string => {
  const result = spawnSync(BASH, ['-c', `printf '%s' ${quotedWord}`], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
  if (result.status !== 0) throw new Error(`bash failed: ${result.stderr}`);
  return result.stdout;
};
