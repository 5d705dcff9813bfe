import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { GpuDeployError, RequestInvalidError } from '../../../lib/errors.js';
import { fakeHostEnv } from '../../../lib/verify/fake-host.js';
import { buildHealthReport, parseHealthCheckOutput } from '../../../lib/verify/report.js';
import {
  buildSsmCommands,
  healthCheckScriptCandidates,
  healthCheckScriptPath,
  loadHealthCheckScript,
  MAX_SCRIPT_BYTES,
  validateHealthCheckFlags,
} from '../../../lib/verify/script.js';

const REPO_ROOT = join(healthCheckScriptPath(), '..', '..', '..');

/** shellcheck from PATH, or the project's virtual environment. */
const findShellcheck = (): string | null => {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), join(REPO_ROOT, '.venv', 'bin')];
  return dirs.map((dir) => join(dir, 'shellcheck')).find((candidate) => existsSync(candidate)) ?? null;
};

describe('health-check.sh itself', () => {
  test('parses with bash -n', () => {
    // Act
    const result = spawnSync('bash', ['-n', healthCheckScriptPath()], { encoding: 'utf8' });

    // Assess
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  test('the script and the fake host are shellcheck-clean', () => {
    // Prepare
    const shellcheck = findShellcheck();
    if (shellcheck === null) {
      console.warn('shellcheck not found on PATH or in .venv/bin: skipping the shellcheck assertion');
      return;
    }
    const fakeHost = join(REPO_ROOT, 'local', 'fake-host');
    const files = [healthCheckScriptPath(), ...['nvidia-smi', 'docker', 'curl'].map((tool) => join(fakeHost, 'bin', tool))];

    // Act
    const result = spawnSync(shellcheck, ['-x', ...files], { encoding: 'utf8', cwd: join(fakeHost, 'bin') });

    // Assess
    expect(result.stdout).toBe('');
    expect(result.status).toBe(0);
  });
});

describe('loadHealthCheckScript', () => {
  test('reads the script beside the module first', () => {
    // Act
    const script = loadHealthCheckScript();

    // Assess
    expect(healthCheckScriptCandidates()[0]).toBe(healthCheckScriptPath());
    expect(script.startsWith('#!/usr/bin/env bash\n')).toBe(true);
    expect(script).toContain('gpu-deploy-health-check');
  });

  test('looks under LAMBDA_TASK_ROOT for a bundled function', () => {
    // Prepare
    const saved = process.env.LAMBDA_TASK_ROOT;
    process.env.LAMBDA_TASK_ROOT = '/var/task';

    // Act
    const candidates = healthCheckScriptCandidates();

    // Assess
    if (saved === undefined) delete process.env.LAMBDA_TASK_ROOT;
    else process.env.LAMBDA_TASK_ROOT = saved;
    expect(candidates[1]).toBe('/var/task/lib/verify/health-check.sh');
  });

  test('says where it looked when the script was not shipped', () => {
    // Act
    const act = (): string => loadHealthCheckScript(['/nowhere/health-check.sh']);

    // Assess
    expect(act).toThrow(GpuDeployError);
    expect(act).toThrow('health-check.sh was not found (looked in /nowhere/health-check.sh)');
  });
});

describe('buildSsmCommands', () => {
  test('writes the script through a quoted heredoc, runs it with the flags and removes it', () => {
    // Prepare
    const script = '#!/usr/bin/env bash\necho "$HOME `id`"\n';

    // Act
    const commands = buildSsmCommands(script, ['--skip-docker', '--skip-ollama']);

    // Assess
    expect(commands).toEqual([
      'script="$(mktemp /tmp/gpu-deploy-health-check.XXXXXX)" || exit 1',
      `cat >"$script" <<'GPU_DEPLOY_HEALTH_CHECK_EOF'`,
      '#!/usr/bin/env bash',
      'echo "$HOME `id`"',
      'GPU_DEPLOY_HEALTH_CHECK_EOF',
      'bash "$script" --skip-docker --skip-ollama; status=$?',
      'rm -f "$script"',
      'exit "$status"',
    ]);
  });

  test.each(['--skip-docker; rm -rf /', '--help', '$(reboot)', ''])('rejects the flag %p', (flag) => {
    // Act
    const act = (): string[] => buildSsmCommands('echo hi', ['--skip-ollama', flag]);

    // Assess
    expect(act).toThrow(RequestInvalidError);
    expect(act).toThrow(`Health-check flag ${JSON.stringify(flag)} is not allowed`);
  });

  test('refuses a script holding the heredoc terminator', () => {
    expect(() => buildSsmCommands('echo a\nGPU_DEPLOY_HEALTH_CHECK_EOF\nrm -rf /\n', [])).toThrow(/end the heredoc early/);
  });

  test('refuses a script over the size budget', () => {
    expect(() => buildSsmCommands('#'.repeat(MAX_SCRIPT_BYTES + 1), [])).toThrow(/larger than/);
  });

  test('the real script fits the budget', () => {
    // Act
    const commands = buildSsmCommands(loadHealthCheckScript(), ['--skip-ollama']);

    // Assess
    expect(Buffer.byteLength(commands.join('\n'))).toBeLessThan(MAX_SCRIPT_BYTES);
  });

  test('run by sh (as the SSM agent does) against the fake host, the commands print the health-check JSON', () => {
    // Prepare
    const workDir = mkdtempSync(join(tmpdir(), 'gpu-deploy-ssm-'));
    const commandsFile = join(workDir, '_script.sh');
    writeFileSync(commandsFile, `${buildSsmCommands(loadHealthCheckScript(), ['--skip-docker']).join('\n')}\n`);

    // Act
    const result = spawnSync('sh', [commandsFile], { encoding: 'utf8', env: fakeHostEnv({ fault: 'none' }) });
    rmSync(workDir, { recursive: true, force: true });

    // Assess
    expect(result.status).toBe(0);
    const report = buildHealthReport(parseHealthCheckOutput(result.stdout), { gpuModel: 'A10G', gpuCount: 1 });
    expect(report.healthy).toBe(true);
    expect(report.docker.containerGpuCount).toBeNull();
  });

  test('validateHealthCheckFlags keeps allowed flags in order', () => {
    expect(validateHealthCheckFlags(['--skip-ollama', '--skip-docker'])).toEqual(['--skip-ollama', '--skip-docker']);
  });
});
