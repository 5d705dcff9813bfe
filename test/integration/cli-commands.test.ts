import { main } from '../../lib/cli/main.js';
import { runCommand } from '../../lib/cli/run.js';
import { doctorCommand } from '../../lib/cli/doctor.js';
import type { Io } from '../../lib/cli/output.js';
import { fakeHostEnv } from '../../lib/verify/fake-host.js';

// The subcommands in-process, each against its own local cloud (--local), as a user would call them.
function capture(): Io & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return { out: (t) => void (out += t), err: (t) => void (err += t), stdout: () => out, stderr: () => err };
}

describe('gpu-deploy subcommands', () => {
  test('help and unknown commands', async () => {
    const io = capture();
    expect(await main(['--help'], io)).toBe(0);
    expect(io.stdout()).toContain('gpu-deploy run');
    expect(await main([], capture())).toBe(2);
    const unknown = capture();
    expect(await main(['launch-now'], unknown)).toBe(2);
    expect(unknown.stderr()).toContain('unknown command "launch-now"');
  });

  test('unknown flags and bad requests are named errors', async () => {
    const io = capture();
    expect(await main(['run', '--json', '--frobnicate'], io)).toBe(2);
    expect(JSON.parse(io.stdout())).toMatchObject({ status: 'FAILED', error: 'UsageError' });
    expect(JSON.parse(io.stdout()).message).toContain('--frobnicate');
    const bad = capture();
    expect(await main(['plan', '--architecture', 'riscv'], bad)).toBe(1);
    expect(bad.stderr()).toContain('RequestInvalidError');
    expect(bad.stderr()).toContain('architecture must be one of x86_64, arm64');
    const both = capture();
    expect(await main(['run', '--local', '--aws', '--json'], both)).toBe(2);
    expect(JSON.parse(both.stdout())).toMatchObject({ error: 'UsageError', message: '--local and --aws exclude each other' });
  });

  test('a config file is validated and flags win over it', async () => {
    const io = capture();
    expect(await main(['ami', '--local', '--json', '--config', 'examples/spot-pytorch-ubuntu-24.04.json', '--region', 'us-east-1'], io)).toBe(0);
    expect(JSON.parse(io.stdout())).toMatchObject({ region: 'us-east-1', osType: 'ubuntu-24.04', amiType: 'pytorch', source: 'describe-images' });
    expect(JSON.parse(io.stdout()).name).toMatch(/^Deep Learning OSS Nvidia Driver AMI GPU PyTorch 2\.8 \(Ubuntu 24\.04\) \d{8}$/);
    const missing = capture();
    expect(await main(['ami', '--json', '--config', 'examples/nope.json'], missing)).toBe(1);
    expect(JSON.parse(missing.stdout())).toMatchObject({ error: 'RequestInvalidError' });
  });

  test('ami without a DLAMI for the combination falls back to the standard image', async () => {
    const io = capture();
    expect(await main(['ami', '--local', '--os-type', 'amazon-linux-2', '--architecture', 'arm64'], io)).toBe(0);
    expect(io.stdout()).toContain('amzn2-ami-kernel-5.10-hvm');
    expect(io.stdout()).toContain('UserData installs the NVIDIA driver');
  });

  test('plan prints the ordered attempts and the estimate', async () => {
    const io = capture();
    expect(await main(['plan', '--local', '--json', '--instance-type', 'g5.xlarge', '--market', 'auto'], io)).toBe(0);
    const plan = JSON.parse(io.stdout()) as Record<string, any>;
    expect(plan.attempts[0].market).toBe('spot');
    expect(plan.attempts.at(-1).market).toBe('on-demand');
    expect(plan.estimates.onDemand.instance.onDemandHourly).toBe(1.006);
    expect(plan.estimates.spot.savings.percent).toBeGreaterThan(0);
    const table = capture();
    expect(await main(['plan', '--local', '--instance-type', 'g4dn.xlarge', '--market', 'on-demand'], table)).toBe(0);
    expect(table.stdout()).toContain('Launch attempts, in order:');
    expect(table.stdout()).toContain('Estimate (on-demand)');
  });

  test('a framework type without its DLAMI: ami refuses it, names the fix, and plan states the standard path and its budget', async () => {
    const refused = capture();
    expect(await main(['ami', '--local', '--json', '--os-type', 'ubuntu-24.04', '--ami-type', 'tensorflow'], refused)).toBe(1);
    expect(JSON.parse(refused.stdout())).toMatchObject({ status: 'FAILED', error: 'AmiNotFoundError', hint: expect.stringContaining('--ami-fallback standard') });
    const plan = capture();
    const args = ['plan', '--local', '--os-type', 'amazon-linux-2', '--architecture', 'arm64', '--instance-type', 'g5g.xlarge', '--ami-type', 'pytorch', '--ami-fallback', 'standard'];
    expect(await main(args, plan)).toBe(0);
    expect(plan.stdout()).toMatch(/^Set-up on the instance \(standard AMI: NVIDIA driver built and CUDA toolkit installed there\): about [\d.]+ GiB to download, about \d+ min estimated; verify deadline 2400s \(the 900s default, raised for a driver build\)$/m);
    expect(plan.stdout()).toMatch(/^warning: Amazon Linux 2 reach(ed|es) its end of support on 2026-06-30/m);
    expect(plan.stdout()).toMatch(/^warning: No pytorch Deep Learning AMI exists for amazon-linux-2 arm64 in us-east-1: .* but no PyTorch: the framework is NOT installed$/m);
    // The same process answers the AMI from its cache this time: needsDriver (and so the budget) survives it.
    const json = capture();
    expect(await main([...args, '--json'], json)).toBe(0);
    expect(JSON.parse(json.stdout())).toMatchObject({ ami: { source: 'cache', needsDriver: true }, setup: { amiSource: 'standard', verifySeconds: 2400, verifySecondsFrom: 'standard-ami-default' }, warnings: [expect.any(String), expect.any(String)] });
  });

  test('gpus lists NVIDIA types with zones and prices', async () => {
    const io = capture();
    expect(await main(['gpus', '--local', '--json', '--instance-type', 'g5.xlarge'], io)).toBe(0);
    const { gpus } = JSON.parse(io.stdout()) as { gpus: Record<string, any>[] };
    expect(gpus).toEqual([expect.objectContaining({ instanceType: 'g5.xlarge', gpuModel: 'A10G', gpuCount: 1, onDemandHourly: 1.006, architectures: ['x86_64'] })]);
    expect(gpus[0]!.zones.length).toBeGreaterThan(0);
    const table = capture();
    expect(await main(['gpus', '--local', '--instance-type', 'g5g.xlarge'], table)).toBe(0);
    expect(table.stdout()).toContain('g5g.xlarge');
    expect(table.stdout()).toContain('arm64');
  });

  test('doctor: healthy on a simulated GPU host, the named code on a broken one', async () => {
    const healthy = capture();
    expect(await doctorCommand({ json: false, skipDocker: false, skipOllama: false }, healthy, fakeHostEnv({ gpuModel: 'NVIDIA L4', gpuCount: 2 }))).toBe(0);
    expect(healthy.stdout()).toContain('GPU 1: NVIDIA L4');
    const broken = capture();
    expect(await doctorCommand({ json: true, skipDocker: true, skipOllama: true }, broken, fakeHostEnv({ fault: 'driver-mismatch' }))).toBe(1);
    expect(JSON.parse(broken.stdout())).toMatchObject({ status: 'UNHEALTHY', error: 'DRIVER_LIBRARY_MISMATCH' });
  });

  test('doctor on this machine (no GPU) reports nvidia-smi missing', async () => {
    const io = capture();
    const env = { ...process.env, PATH: '/usr/bin:/bin', GPU_DEPLOY_STATUS_FILE: '/dev/null/none' };
    expect(await doctorCommand({ json: true, skipDocker: true, skipOllama: true }, io, env)).toBe(1);
    expect(JSON.parse(io.stdout())).toMatchObject({ error: 'NVIDIA_SMI_MISSING', codes: ['NVIDIA_SMI_MISSING'] });
    expect(JSON.parse(io.stdout()).fix).toContain('doctor checks the machine it runs on');
  });
});

describe('gpu-deploy run, interrupted', () => {
  test('stopping the run after Launch rolls back what it launched: nothing is left in the emulator', async () => {
    // Prepare: a set-up that never finishes keeps the run polling; stop it once Launch has started an instance.
    const stop = new AbortController();
    const io = capture();
    const err = io.err;
    io.err = (text) => {
      err(text);
      if (text.includes('✓ Launch')) stop.abort();
    };
    // Act
    const summary = await runCommand({ request: { instanceType: 'g5.xlarge' }, local: true, json: true, signal: stop.signal, waitMs: 50 }, io);
    // Assess
    expect(summary.exitCode).toBe(1);
    expect(summary.document).toMatchObject({ status: 'FAILED', error: 'ExecutionAbortedError', rollback: { done: true }, emulator: { liveInstances: 0 } });
    expect((summary.document.rollback as { terminatedInstances: string[] }).terminatedInstances).toHaveLength(1);
    expect(io.stderr()).toContain('Rolled back: terminated i-');
  });
});
