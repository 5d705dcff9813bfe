import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderUserData, userDataStages } from '../../../lib/userdata/index.js';
import type { UserDataOptions } from '../../../lib/userdata/index.js';
import { APT_INSTALL, baseOptions, OLLAMA_VARIANTS, PLATFORMS } from './fixtures.js';
import { BASH, makeSandbox, removeScratch, runInSandbox } from './sandbox.js';
import type { RunResult } from './sandbox.js';

afterAll(removeScratch);

const run = (options: UserDataOptions, env: Record<string, string> = {}, absent: string[] = []): RunResult => {
  const sandbox = makeSandbox(absent);
  const result = runInSandbox(renderUserData(options), sandbox, env);
  return { ...result, root: sandbox.root } as RunResult & { root: string };
};

/** Stage names in the order setup.log saw them start. */
const startedStages = (log: string): string[] =>
  [...log.matchAll(/stage (\S+): started/g)].map((m) => m[1] ?? '');

const dockerRun = (calls: string[]): string | undefined => calls.find((c) => c.startsWith('docker run -d --name ollama'));

describe('generated script in a stubbed scratch root', () => {
  test.each(PLATFORMS)('$osType/$architecture/$amiSource runs every stage and completes', (platform) => {
    // Act
    const result = run(baseOptions({ ...platform, ollama: OLLAMA_VARIANTS['on+model']! }));
    // Assess
    expect(result.stderr).toContain('setup complete');
    expect(result.status).toBe(0);
    expect(startedStages(result.setupLog)).toEqual(userDataStages().slice(0, -1));
    expect(result.statusFile).toMatchObject({ stage: 'complete', outcome: 'succeeded', deploymentId: 'dep-123' });
    expect(String(result.statusFile?.updatedAt)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(result.calls).toContain('nvidia-ctk runtime configure --runtime=docker --set-as-default');
    expect(result.calls).toContain('docker exec ollama ollama pull llama3.2:1b');
  });

  test('ubuntu dlami with Ollama: stage order, status, localhost-only binding and GPU selection', () => {
    const result = run(baseOptions());
    expect(result.status).toBe(0);
    expect(startedStages(result.setupLog)).toEqual(['packages', 'nvidia-driver', 'docker', 'workspace', 'ollama']);
    expect(result.setupLog).toMatch(/stage ollama: succeeded/);
    // No workspace asked for: the stage does nothing, and Ollama keeps its models in its Docker volume.
    expect(result.calls.filter((c) => /^(mount|findmnt|curl -fsSL -o \S+efs-utils)/.test(c))).toEqual([]);
    expect(result.statusFile).toMatchObject({ stage: 'complete', outcome: 'succeeded', message: 'GPU host ready' });
    const ollama = dockerRun(result.calls);
    expect(ollama).toBeDefined();
    expect(ollama).toContain('-p 127.0.0.1:11434:11434');
    expect(ollama).not.toMatch(/-p (0\.0\.0\.0:)?11434/);
    expect(ollama).toContain('--gpus all');
    expect(ollama).toContain('-e NVIDIA_VISIBLE_DEVICES=all');
    expect(ollama).toContain('-e NVIDIA_DRIVER_CAPABILITIES=compute,utility');
    expect(ollama).not.toContain('CUDA_VISIBLE_DEVICES');
    expect(ollama).not.toContain('OLLAMA_GPU_OVERHEAD');
    expect(ollama?.endsWith('-v ollama:/root/.ollama ollama/ollama:latest')).toBe(true);
    // A DLAMI misses nothing: no package index refresh at all.
    expect(result.calls.filter((c) => c.startsWith('apt-get'))).toEqual([]);
    expect(result.setupLog).toContain('nothing missing; no package index refresh');
    expect(result.calls).toContain('docker run --rm --gpus all public.ecr.aws/docker/library/ubuntu:24.04 nvidia-smi -L');
    expect(result.calls).toContain("docker info --format {{.DefaultRuntime}}");
    // The only writes outside state/log dirs went under GPU_DEPLOY_ROOT.
    const root = (result as RunResult & { root: string }).root;
    expect(existsSync(join(root, 'etc/profile.d/gpu-deploy-cuda.sh'))).toBe(true);
    expect(readFileSync(join(root, 'etc/profile.d/gpu-deploy-cuda.sh'), 'utf8')).toContain('/usr/local/cuda/bin');
  });

  test('selected GPUs and a VRAM cap become --gpus device=, CUDA_VISIBLE_DEVICES and OLLAMA_GPU_OVERHEAD', () => {
    const result = run(baseOptions({ ollama: { ...OLLAMA_VARIANTS['on+model']!, visibleDevices: '2,3' } }));
    expect(result.status).toBe(0);
    const ollama = dockerRun(result.calls) ?? '';
    expect(ollama).toContain('--gpus "device=2,3"');
    expect(ollama).toContain('-e NVIDIA_VISIBLE_DEVICES=2,3');
    expect(ollama).toContain('-e CUDA_VISIBLE_DEVICES=0,1');
    // stub GPU has 24576 MiB; cap 8192 MiB -> reserve 16384 MiB
    expect(ollama).toContain(`-e OLLAMA_GPU_OVERHEAD=${16384 * 1048576}`);
    expect(result.calls).toContain('nvidia-smi -i 2 --query-gpu=memory.total --format=csv,noheader,nounits');
  });

  test('a cap above the GPU memory reserves nothing', () => {
    const result = run(baseOptions({ ollama: { ...OLLAMA_VARIANTS.on!, maxVramMiB: 100_000 } }));
    expect(dockerRun(result.calls)).toContain('-e OLLAMA_GPU_OVERHEAD=0');
  });

  test('Ollama disabled: the stage is skipped, Docker GPU runtime still checked', () => {
    const result = run(baseOptions({ ollama: OLLAMA_VARIANTS.off! }));
    expect(result.status).toBe(0);
    expect(dockerRun(result.calls)).toBeUndefined();
    expect(result.calls.some((c) => c.startsWith('docker run --rm --gpus all'))).toBe(true);
    expect(result.setupLog).toContain('Ollama disabled; skipping');
  });

  test('an existing ollama container is replaced (idempotent re-run)', () => {
    const result = run(baseOptions(), { STUB_OLLAMA_EXISTS: '1' });
    expect(result.status).toBe(0);
    const rm = result.calls.indexOf('docker rm -f ollama');
    expect(rm).toBeGreaterThan(-1);
    expect(result.calls.findIndex((c) => c.startsWith('docker run -d --name ollama'))).toBeGreaterThan(rm);
  });

  test('missing Docker and toolkit are installed from the OS and NVIDIA repositories', () => {
    const ubuntu = run(baseOptions({ amiSource: 'standard' }), {}, ['docker', 'nvidia-ctk']);
    expect(ubuntu.status).toBe(0);
    expect(ubuntu.calls).toContain(`${APT_INSTALL} docker.io`);
    expect(ubuntu.calls).toContain(`${APT_INSTALL} nvidia-container-toolkit`);
    expect(ubuntu.calls).toContain(
      'curl -fsSL -o ' +
        `${(ubuntu as RunResult & { root: string }).root}/state/downloads/nvidia-container-toolkit.list ` +
        'https://nvidia.github.io/libnvidia-container/stable/deb/nvidia-container-toolkit.list',
    );
    expect(ubuntu.calls).toContain(`${APT_INSTALL} nvidia-open cuda-toolkit-12-6`);

    const al2 = run(baseOptions({ osType: 'amazon-linux-2', amiSource: 'standard' }), {}, ['docker', 'nvidia-ctk']);
    expect(al2.status).toBe(0);
    expect(al2.calls).toContain('amazon-linux-extras install -y docker');
    expect(al2.calls).toContain('yum -y -q install nvidia-container-toolkit');
    expect(al2.calls).toContain('yum -y -q install gcc10');

    const al2023 = run(baseOptions({ osType: 'amazon-linux-2023', architecture: 'arm64', amiSource: 'standard' }), {}, [
      'docker',
      'nvidia-ctk',
    ]);
    expect(al2023.status).toBe(0);
    expect(al2023.calls).toContain('dnf -y -q install docker');
    expect(al2023.calls).toContain('dnf -y module enable nvidia-driver:open-dkms');
    expect(al2023.calls.some((c) => c.includes('/repos/amzn2023/sbsa/cuda-amzn2023.repo'))).toBe(true);
  });

  test('persistence falls back to nvidia-smi -pm 1 without the persistenced unit', () => {
    const result = run(baseOptions(), { STUB_NO_PERSISTENCED: '1' });
    expect(result.status).toBe(0);
    expect(result.calls).toContain('nvidia-smi -pm 1');
    expect(result.calls).not.toContain('systemctl enable --now nvidia-persistenced');
  });
});

describe('failures are reported by stage', () => {
  test('nvidia-ctk failing fails the docker stage and exits non-zero', () => {
    // Act
    const result = run(baseOptions(), { STUB_FAIL: 'nvidia-ctk' });
    // Assess
    expect(result.status).not.toBe(0);
    expect(result.statusFile).toMatchObject({ stage: 'docker', outcome: 'failed', deploymentId: 'dep-123' });
    expect(String(result.statusFile?.message)).toMatch(/exit 1 at line \d+: nvidia-ctk runtime configure/);
    expect(startedStages(result.setupLog)).toEqual(['packages', 'nvidia-driver', 'docker']);
    expect(dockerRun(result.calls)).toBeUndefined();
  });

  test('a driver that will not load fails nvidia-driver after trying modprobe', () => {
    const result = run(baseOptions(), { STUB_FAIL: 'nvidia-smi' });
    expect(result.status).not.toBe(0);
    expect(result.calls).toContain('modprobe nvidia');
    expect(result.statusFile).toMatchObject({ stage: 'nvidia-driver', outcome: 'failed' });
    expect(String(result.statusFile?.message)).toContain('nvidia-smi cannot reach the GPU');
  });

  test('downloads are retried 5 times with backoff before the stage fails', () => {
    const result = run(baseOptions({ amiSource: 'standard' }), { STUB_FAIL: 'curl' });
    expect(result.status).not.toBe(0);
    expect(result.calls.filter((c) => c.startsWith('curl ')).length).toBe(5);
    expect(result.calls.filter((c) => c.startsWith('sleep '))).toEqual(['sleep 5', 'sleep 10', 'sleep 20', 'sleep 40']);
    expect(result.statusFile).toMatchObject({ stage: 'nvidia-driver', outcome: 'failed' });
    expect(String(result.statusFile?.message)).toMatch(/^gave up after 5 attempts: curl -fsSL -o \S+cuda-keyring.deb https:/);
  });

  test('the failing command is recorded with its quotes JSON-escaped', () => {
    const result = run(baseOptions({ amiSource: 'standard' }), { STUB_FAIL: 'gpg' }, ['nvidia-ctk']);
    expect(result.status).toBe(1);
    expect(result.statusFile).toMatchObject({ stage: 'docker', outcome: 'failed' });
    expect(String(result.statusFile?.message)).toMatch(
      /^exit 1 at line \d+: gpg --batch --yes --dearmor -o "\$ROOT\$keyring" "\$DOWNLOAD_DIR\/nvidia-container-toolkit.gpgkey"$/,
    );
  });

  test('a default runtime other than nvidia fails the docker stage with a message', () => {
    const result = run(baseOptions(), { STUB_DOCKER_RUNTIME: 'runc' });
    expect(result.status).toBe(1);
    expect(result.statusFile).toMatchObject({
      stage: 'docker',
      outcome: 'failed',
      message: "Docker default runtime is 'runc', expected nvidia",
    });
  });

  test('Ollama that never answers fails the ollama stage after a bounded wait', () => {
    const result = run(baseOptions({ amiSource: 'dlami' }), { STUB_FAIL: 'curl' });
    expect(result.status).toBe(1);
    expect(result.statusFile).toMatchObject({ stage: 'ollama', outcome: 'failed' });
    expect(result.calls.filter((c) => c.startsWith('curl -fsS --max-time 2')).length).toBe(60);
  });

  test('a missing package manager fails the packages stage', () => {
    const result = run(baseOptions(), {}, ['apt-get']);
    expect(result.status).toBe(1);
    expect(result.statusFile).toMatchObject({ stage: 'packages', outcome: 'failed' });
    expect(String(result.statusFile?.message)).toContain('apt-get not found');
  });
});

describe('json_escape in the script', () => {
  test('escapes backslash, quote and control characters so status.json stays valid JSON', () => {
    // Prepare: the function exactly as rendered
    const script = renderUserData(baseOptions());
    const fn = /^json_escape\(\) \{\n[\s\S]*?\n\}$/m.exec(script)?.[0] ?? '';
    const hostile = 'a\\b"c\nd\re\tf\u0001g $(x) `y`';
    // Act
    const result = spawnSync(BASH, ['-c', `${fn}\nprintf '"%s"' "$(json_escape "$1")"`, 'bash', hostile], {
      encoding: 'utf8',
    });
    // Assess
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toBe('a\\b"c\nd\re\tf g $(x) `y`');
  });
});
