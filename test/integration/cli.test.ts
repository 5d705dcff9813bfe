import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../../lib/local/paths.js';

// The command line exactly as a user runs it: a separate Node process, its own local cloud, stdout one JSON document.
const bin = join(repoRoot(), 'bin', 'gpu-deploy.js');

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    delete env.AWS_ENDPOINT_URL;
    const child = spawn(process.execPath, [bin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('gpu-deploy run --local', () => {
  test('deploys, shows every state on stderr and prints the result as JSON', async () => {
    const { code, stdout, stderr } = await cli(['run', '--local', '--json']);
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as Record<string, any>;
    expect(result.status).toBe('SUCCEEDED');
    expect(result.instanceId).toMatch(/^i-[0-9a-f]+$/);
    expect(result.imageId).toMatch(/^ami-[0-9a-f]+$/);
    expect(result.gpu.healthy).toBe(true);
    expect(result.estimate.total.hourly).toBeGreaterThan(0);
    expect(result.emulator.strayInstances).toEqual([]);
    for (const state of ['ValidateRequest', 'ResolveAmi', 'PlanCapacity', 'Launch', 'CheckRunning', 'CheckManaged', 'VerifyGpu', 'GetGpuReport']) {
      expect(stderr).toContain(`✓ ${state}`);
    }
  });

  test('a bad instance type exits non-zero with a named error and leaves no instance', async () => {
    const { code, stdout } = await cli(['run', '--local', '--json', '--instance-type', 'foo.bar']);
    expect(code).toBe(1);
    const result = JSON.parse(stdout) as Record<string, any>;
    expect(result).toMatchObject({ status: 'FAILED', error: 'InstanceTypeUnknownError' });
    expect(result.cause).toContain('instanceType');
    expect(result.emulator.liveInstances).toBe(0);
  });

  test('a malformed request is refused before anything starts', async () => {
    const { code, stdout } = await cli(['run', '--local', '--json', '--os-type', 'windows']);
    expect(code).toBe(1);
    const result = JSON.parse(stdout) as Record<string, any>;
    expect(result).toMatchObject({ status: 'FAILED', error: 'RequestInvalidError' });
    expect(result.message).toContain('osType must be one of');
  });
});
