import { parseArgs } from 'node:util';
import { buildHealthReport, parseHealthCheckOutput } from '../verify/report.js';
import { runHealthCheckLocally } from '../verify/run-local.js';
import { printJson, type Io } from './output.js';

/**
 * `gpu-deploy doctor`: the same health check deployments run over SSM, on this host. Exit 0 only when healthy.
 */
export async function doctorCommand(options: { json: boolean; skipDocker: boolean; skipOllama: boolean }, io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const flags = [...(options.skipDocker ? ['--skip-docker'] : []), ...(options.skipOllama ? ['--skip-ollama'] : [])];
  const run = await runHealthCheckLocally({ env: env as Record<string, string>, flags });
  const report = buildHealthReport(parseHealthCheckOutput(run.stdout));
  const codes = [...new Set(report.failures.map((f) => f.code))];
  if (options.json) {
    printJson(io, { status: report.healthy ? 'HEALTHY' : 'UNHEALTHY', ...(report.healthy ? {} : { error: codes[0], codes }), report });
  } else {
    for (const gpu of report.gpus) io.out(`GPU ${gpu.index}: ${gpu.name}  ${gpu.memoryUsedMiB ?? '?'}/${gpu.memoryTotalMiB ?? '?'} MiB  ${gpu.utilizationPercent ?? '?'}% util\n`);
    io.out(`driver ${report.driverVersion ?? 'n/a'}, CUDA ${report.cudaVersion ?? 'n/a'}\n`);
    for (const failure of report.failures) io.out(`✗ ${failure.code}: ${failure.message}\n`);
    io.out(report.healthy ? 'healthy\n' : 'unhealthy\n');
  }
  return report.healthy ? 0 : 1;
}

/** `gpu-deploy doctor [--skip-docker] [--skip-ollama] [--json]`: the arguments, then doctorCommand. */
export async function doctorMain(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean' }, 'skip-docker': { type: 'boolean' }, 'skip-ollama': { type: 'boolean' } }, strict: true });
  return doctorCommand({ json: values.json === true, skipDocker: values['skip-docker'] === true, skipOllama: values['skip-ollama'] === true }, io);
}
