/**
 * The health-check script and the AWS-RunShellScript commands that run it on a GPU host over SSM.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GpuDeployError, RequestInvalidError } from '../errors.js';

/** The only flags health-check.sh may receive from a request: they reach a root shell on the host. */
export const HEALTH_CHECK_FLAGS = ['--skip-docker', '--skip-ollama'] as const;
export type HealthCheckFlag = (typeof HEALTH_CHECK_FLAGS)[number];

const SCRIPT_NAME = 'health-check.sh';
const HEREDOC_END = 'GPU_DEPLOY_HEALTH_CHECK_EOF';
/** A conservative budget for the script inside SendCommand's parameters, far below the API's request limits. */
export const MAX_SCRIPT_BYTES = 48 * 1024;

/**
 * Path of health-check.sh beside this module (source tree and unbundled builds).
 *
 * @example
 * spawn('bash', [healthCheckScriptPath(), '--skip-ollama']);
 */
export function healthCheckScriptPath(): string {
  return fileURLToPath(new URL(`./${SCRIPT_NAME}`, import.meta.url));
}

/**
 * Where the script may be: beside the module, or (in a single-file esbuild bundle, where `import.meta.url` is the
 * bundle) at `lib/verify/health-check.sh` under the Lambda task root or the working directory.
 */
export function healthCheckScriptCandidates(): string[] {
  const root = process.env.LAMBDA_TASK_ROOT ?? process.cwd();
  return [healthCheckScriptPath(), join(root, 'lib', 'verify', SCRIPT_NAME)];
}

/**
 * Reads health-check.sh from the first place it is found.
 *
 * @throws GpuDeployError when the script was not shipped with the code.
 * @example
 * const commands = buildSsmCommands(loadHealthCheckScript(), ['--skip-ollama']);
 */
export function loadHealthCheckScript(candidates: string[] = healthCheckScriptCandidates()): string {
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found === undefined) {
    throw new GpuDeployError(`${SCRIPT_NAME} was not found (looked in ${candidates.join(', ')})`, {
      hint: 'Package lib/verify/health-check.sh with the function (serverless.yml package.patterns).',
    });
  }
  return readFileSync(found, 'utf8');
}

const isHealthCheckFlag = (flag: string): flag is HealthCheckFlag =>
  (HEALTH_CHECK_FLAGS as readonly string[]).includes(flag);

/**
 * Checks flags against the allow-list.
 *
 * @throws RequestInvalidError naming the first flag that is not allowed.
 */
export function validateHealthCheckFlags(flags: readonly string[]): HealthCheckFlag[] {
  return flags.map((flag) => {
    if (!isHealthCheckFlag(flag)) {
      throw new RequestInvalidError(`Health-check flag ${JSON.stringify(flag)} is not allowed`, {
        hint: `Use only ${HEALTH_CHECK_FLAGS.join(', ')}.`,
      });
    }
    return flag;
  });
}

/**
 * The `commands` parameter of AWS-RunShellScript that runs the health check: the script goes to a `mktemp` file
 * through a quoted heredoc (nothing in it is expanded), runs with bash and the allowed flags, and is removed.
 * The lines are POSIX sh, because the SSM agent runs them with `sh`.
 *
 * @throws RequestInvalidError for a flag outside the allow-list.
 * @throws GpuDeployError when the script is too large or contains the heredoc terminator.
 * @example
 * await ssm.send(new SendCommandCommand({
 *   DocumentName: 'AWS-RunShellScript',
 *   InstanceIds: [instanceId],
 *   Parameters: { commands: buildSsmCommands(loadHealthCheckScript(), ['--skip-ollama']) },
 * }));
 */
export function buildSsmCommands(script: string, flags: readonly string[]): string[] {
  const allowed = validateHealthCheckFlags(flags);
  if (Buffer.byteLength(script, 'utf8') > MAX_SCRIPT_BYTES) {
    throw new GpuDeployError(`${SCRIPT_NAME} is larger than ${MAX_SCRIPT_BYTES} bytes`);
  }
  const lines = script.replace(/\r\n/g, '\n').replace(/\n$/, '').split('\n');
  if (lines.includes(HEREDOC_END)) {
    throw new GpuDeployError(`${SCRIPT_NAME} contains the line ${HEREDOC_END}, which would end the heredoc early`);
  }
  const invocation = ['bash', '"$script"', ...allowed].join(' ');
  return [
    'script="$(mktemp /tmp/gpu-deploy-health-check.XXXXXX)" || exit 1',
    `cat >"$script" <<'${HEREDOC_END}'`,
    ...lines,
    HEREDOC_END,
    `${invocation}; status=$?`,
    'rm -f "$script"',
    'exit "$status"',
  ];
}
