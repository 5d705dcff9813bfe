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
    for (const state of ['ValidateRequest', 'ResolveAmi', 'PlanCapacity', 'Launch', 'VerifyGpu']) {
      expect(stderr).toContain(`✓ ${state}`);
    }
    // Each polling loop (Wait, its check, its Choice) is one line that counts its polls against its deadline.
    for (const wait of ['WaitUntilRunning', 'WaitUntilManaged', 'WaitForGpuReport']) expect(stderr).toMatch(new RegExp(`^  ✓ ${wait}: \\d+ polls?, `, 'm'));
    expect(stderr).not.toContain('CheckManaged');
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

  test('--simulate-ssm-offline fails by name with the deadlines scaled like the waits, in a few dozen progress lines', async () => {
    // Act: `npm start -- --simulate-ssm-offline --json`
    const { code, stdout, stderr } = await cli(['run', '--local', '--simulate-ssm-offline', '--json']);
    // Assess
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({ status: 'FAILED', error: 'SsmManagedTimeoutError', rollback: { done: true }, emulator: { liveInstances: 0 } });
    expect(stderr).toContain('Local time: waits and deadlines at 1/100 of the cloud\'s (deadlines: running within 6.0s of launch, SSM online within 15s of it, GPU verified within 9.0s)');
    // The managed loop's polls fold into lines at polls 1, 2, 4, ... and one summary against its (scaled) deadline.
    expect(stderr).toMatch(/^ {2}✗ WaitUntilManaged: \d+ polls, 1\ds of 15s$/m);
    expect(stderr.match(/→ CheckManaged/g)).toBeNull();
    expect(stderr.trimEnd().split('\n').length).toBeLessThanOrEqual(40);
  });
});

describe('gpu-deploy as a new user first meets it', () => {
  test('--help on every subcommand exits 0 with that command\'s usage; --version exits 0', async () => {
    const top = await cli(['--help']);
    const names = [...top.stdout.matchAll(/^ {2}gpu-deploy ([a-z-]+)/gm)].map((m) => m[1] as string);
    expect(names).toEqual(expect.arrayContaining(['run', 'plan', 'ami', 'gpus', 'start', 'status', 'teardown', 'extend', 'connect', 'tunnel', 'exec', 'list', 'local-cloud', 'doctor']));
    for (const name of names) {
      const help = await cli([name, '--help']);
      expect({ name, code: help.code, usage: help.stdout.startsWith(`Usage: gpu-deploy ${name}`) }).toEqual({ name, code: 0, usage: true });
    }
    const version = await cli(['--version']);
    expect({ code: version.code, stdout: version.stdout }).toEqual({ code: 0, stdout: expect.stringMatching(/^gpu-deploy \d+\.\d+\.\d+\n$/) });
  });

  test('plan --local --region us-east-9: a region error before any local cloud starts, not AwsTransientError', async () => {
    const { code, stdout, stderr } = await cli(['plan', '--local', '--region', 'us-east-9', '--json']);
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({ error: 'RequestInvalidError', message: expect.stringMatching(/^us-east-9 is not an AWS region/), hint: expect.stringContaining('Did you mean us-east-1 or us-east-2?') });
    expect(stderr).not.toContain('Starting the local cloud');
  });
});
