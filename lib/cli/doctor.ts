import { firstFix, groupFailures } from '../verify/advice.js';
import { buildHealthReport, parseHealthCheckOutput } from '../verify/report.js';
import { runHealthCheckLocally } from '../verify/run-local.js';
import type { HealthReport } from '../verify/types.js';
import { parseCommandArgs } from './args.js';
import { commandSpec } from './commands.js';
import { printJson, type Io } from './output.js';

export interface DoctorOptions {
  json: boolean;
  /** No Docker probe at all (`docker info`, the `--gpus all` container, Ollama's container logs). */
  skipDocker: boolean;
  /** No Ollama probe (its API, its container logs). */
  skipOllama: boolean;
}

/** What was not checked, and why, for the text report. */
const skippedLines = (report: HealthReport, options: DoctorOptions): string[] => [
  ...(report.docker.checked ? [] : [`docker: not checked${options.skipDocker ? ' (--skip-docker)' : ''}`]),
  ...(report.ollama.checked ? [] : [`ollama: not checked${options.skipOllama ? ' (--skip-ollama)' : ''}`]),
];

const printText = (report: HealthReport, options: DoctorOptions, io: Io): void => {
  for (const gpu of report.gpus) io.out(`GPU ${gpu.index}: ${gpu.name}  ${gpu.memoryUsedMiB ?? '?'}/${gpu.memoryTotalMiB ?? '?'} MiB  ${gpu.utilizationPercent ?? '?'}% util\n`);
  io.out(`driver ${report.driverVersion ?? 'n/a'}, CUDA ${report.cudaVersion ?? 'n/a'}\n`);
  for (const line of skippedLines(report, options)) io.out(`${line}\n`);
  for (const group of groupFailures(report.failures)) io.out(`✗ ${group.code}: ${group.messages.join('; ')}\n`);
  const fix = firstFix(report.failures);
  io.out(fix === null ? 'healthy\n' : `unhealthy: ${fix}\n`);
};

/**
 * `gpu-deploy doctor`: the same health check deployments run over SSM, on this host. Exit 0 only when healthy.
 * The text ends with one line: `healthy`, or `unhealthy:` and what to do about the first problem (usually the cause
 * of the others).
 */
export async function doctorCommand(options: DoctorOptions, io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const flags = [...(options.skipDocker ? ['--skip-docker'] : []), ...(options.skipOllama ? ['--skip-ollama'] : [])];
  const run = await runHealthCheckLocally({ env: env as Record<string, string>, flags });
  const report = buildHealthReport(parseHealthCheckOutput(run.stdout));
  if (options.json) {
    const codes = groupFailures(report.failures).map((group) => group.code);
    const failed = { error: codes[0], codes, fix: firstFix(report.failures) };
    printJson(io, { status: report.healthy ? 'HEALTHY' : 'UNHEALTHY', ...(report.healthy ? {} : failed), report });
  } else {
    printText(report, options, io);
  }
  return report.healthy ? 0 : 1;
}

/** `gpu-deploy doctor [--skip-docker] [--skip-ollama] [--json]`: the arguments, then doctorCommand. */
export async function doctorMain(args: string[], io: Io): Promise<number> {
  const { values } = parseCommandArgs(commandSpec('doctor'), args);
  return doctorCommand({ json: values.json === true, skipDocker: values['skip-docker'] === true, skipOllama: values['skip-ollama'] === true }, io);
}
