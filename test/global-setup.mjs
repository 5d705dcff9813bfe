// Before the suite: the project-local virtualenv with the emulator (moto) and shellcheck, installed on first use
// from requirements-dev.txt, so `npm test` works on a fresh clone with nothing but python3.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export default function globalSetup() {
  const root = dirname(dirname(fileURLToPath(import.meta.url)));
  const venv = process.env.GPU_DEPLOY_VENV ?? join(root, '.venv');
  if (existsSync(join(venv, 'bin', 'moto_server')) && existsSync(join(venv, 'bin', 'shellcheck'))) return;
  process.stderr.write(`\nInstalling test tools from requirements-dev.txt into ${venv} (first run only)...\n`);
  const steps = [
    [process.env.PYTHON ?? 'python3', ['-m', 'venv', venv]],
    [join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', '-r', join(root, 'requirements-dev.txt')]],
  ];
  for (const [cmd, args] of steps) {
    const result = spawnSync(cmd, args, { stdio: 'inherit' });
    if (result.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${result.status})`);
  }
}
