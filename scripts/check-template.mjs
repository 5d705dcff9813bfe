// `npm run check:template`: cfn-lint and checkov on the packaged CloudFormation template (the real
// `serverless package`, offline). Suppressions live in serverless.yml under custom.templateChecks, each with its
// reason; they are read from the packaged service state, so what is checked is what would deploy.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const venvBin = join(process.env.GPU_DEPLOY_VENV ?? join(root, '.venv'), 'bin');
for (const tool of ['cfn-lint', 'checkov']) {
  if (!existsSync(join(venvBin, tool))) {
    console.error(`${tool} is missing: run .venv/bin/pip install -r requirements-ci.txt`);
    process.exit(2);
  }
}

const out = mkdtempSync(join(tmpdir(), 'gpu-deploy-template-'));
let failed = false;
try {
  execFileSync(join(root, 'node_modules', '.bin', 'serverless'), ['package', '--package', out], {
    cwd: root,
    env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const template = join(out, 'cloudformation-template-update-stack.json');
  const state = JSON.parse(readFileSync(join(out, 'serverless-state.json'), 'utf8'));
  const checks = state.service.custom?.templateChecks ?? {};
  const ids = (list) => (list ?? []).map((entry) => {
    if (!entry.id || !entry.reason) throw new Error(`custom.templateChecks entry without id and reason: ${JSON.stringify(entry)}`);
    return entry.id;
  });

  const cfnIgnore = ids(checks.cfnLint?.ignore);
  console.log(`== cfn-lint (ignoring ${cfnIgnore.join(', ') || 'nothing'})`);
  const lint = spawnSync(join(venvBin, 'cfn-lint'), [...(cfnIgnore.length ? ['--ignore-checks', ...cfnIgnore] : []), '--', template], { stdio: 'inherit' });
  console.log(lint.status === 0 ? 'cfn-lint: 0 errors, 0 warnings' : `cfn-lint: exit ${lint.status}`);
  failed ||= lint.status !== 0;

  const checkovSkip = ids(checks.checkov?.skip);
  console.log(`== checkov (skipping ${checkovSkip.length} checks, each with its reason in serverless.yml)`);
  const checkov = spawnSync(
    join(venvBin, 'checkov'),
    ['-f', template, '--framework', 'cloudformation', '--compact', '--quiet', '--skip-download', ...(checkovSkip.length ? ['--skip-check', checkovSkip.join(',')] : [])],
    { encoding: 'utf8', env: { ...process.env, BC_SKIP_MAPPING: 'TRUE', CHECKOV_RUN_SCA_PACKAGE_SCAN_V2: 'false' } },
  );
  process.stdout.write(checkov.stdout);
  const summary = /Passed checks: (\d+), Failed checks: (\d+)/.exec(checkov.stdout);
  console.log(summary ? `checkov: ${summary[1]} passed, ${summary[2]} failed` : `checkov: exit ${checkov.status}`);
  failed ||= checkov.status !== 0;
} finally {
  rmSync(out, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
