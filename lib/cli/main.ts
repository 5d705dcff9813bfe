import { parseArgs } from 'node:util';
import { GpuDeployError } from '../errors.js';
import { processIo, printJson, type Io } from './output.js';
import { REQUEST_OPTION_SPEC, requestFromOptions } from './request-options.js';
import { amiCommand } from './ami.js';
import { doctorCommand } from './doctor.js';
import { gpusCommand } from './gpus.js';
import { planCommand } from './plan.js';
import { runCommand } from './run.js';
import { stackRegionFrom, startCommand, type StackOptions } from './start.js';
import { statusCommand } from './status.js';
import { teardownCommand } from './teardown.js';

const USAGE = `gpu-deploy: turn a GPU request into a verified, GPU-ready EC2 instance.

Usage:
  gpu-deploy run [request options] [--local | --aws] [--json]
      Run the deploy state machine in this process with the real handlers. --local (default) starts a local
      AWS emulator; --aws uses whatever the AWS SDK is configured for (AWS_PROFILE, AWS_REGION, ...).
      Local simulation: --simulate-host FAULT, --simulate-no-capacity ZONE[,ZONE], --simulate-failed-stage STAGE,
      --simulate-ssm-offline, --wait-ms N (each Wait state's length; with --aws too, for an emulator).

  gpu-deploy plan [request options] [--local] [--json]
      Validation, the AMI, the ordered launch attempts (zone x market) and the cost estimate. Launches nothing.
  gpu-deploy ami [--region R] [--os-type O] [--architecture A] [--ami-type K] [--local] [--json]
      The Deep Learning AMI a deployment would use, and how it was found.
  gpu-deploy gpus [--region R] [--instance-type T] [--local] [--json]
      NVIDIA GPU instance types of the region: GPU, memory, vCPUs, architecture, zones, on-demand and spot price.
  gpu-deploy doctor [--skip-docker] [--skip-ollama] [--json]
      The GPU health check that deployments run over SSM, on this host. Exit 0 only when the GPU is healthy.

  --local on plan/ami/gpus answers from the local emulator instead of your AWS account.

  gpu-deploy start [request options] [--stage S] [--stack-region R] [--wait] [--json]
      Start the deployed deploy state machine (stack gpu-deploy-<stage>, found by its CloudFormation outputs).
      --wait follows the execution's states and prints the result (exit 1 when it failed).
  gpu-deploy status ID [--stage S] [--region R] [--json]
      A deployment's status: RUNNING, SUCCEEDED with its result, or FAILED with the named error (exit 1).
  gpu-deploy teardown ID [--stage S] [--region R] [--wait] [--json]
      Remove an ended deployment: everything tagged gpu-deploy:deployment-id=ID, through the teardown state machine.

  gpu-deploy connect ID [--region R] [--local]
      An interactive shell on the deployment's instance through Session Manager (AWS's session-manager-plugin).
  gpu-deploy tunnel ID [--local-port N] [--remote-port N] [--region R] [--local] [--json]
      Port forwarding through Session Manager (both default 11434: Ollama at http://127.0.0.1:11434) until Ctrl-C.
  gpu-deploy exec ID [--timeout S] [--region R] [--local] [--json] -- COMMAND [ARG...]
      Run Command on the instance; each ARG reaches it as one word; the exit status is the command's own.
  gpu-deploy list [--region R | --all-regions] [--local] [--json]
      Every instance gpu-deploy manages: state, uptime, price, cost so far, lifetime, the way in; and the totals.
  gpu-deploy local-cloud [--region R] [--json]
      The local cloud (moto + local stand-ins) as a server until Ctrl-C; --local on the commands above uses it.

  Deployed-stack options: --stage S (default dev); the stack's region is --stack-region (start) or --region
  (status, teardown), else AWS_REGION, else the request's region.

Request options (flags over --config file over defaults):
  --instance-type T      EC2 GPU instance type (default g5.xlarge)
  --region R             AWS region (default AWS_REGION, else us-east-1)
  --os-type O            ubuntu-22.04 (default), ubuntu-24.04, amazon-linux-2023, amazon-linux-2
  --architecture A       x86_64 (default), arm64
  --ami-type K           base (default), pytorch, tensorflow, multi-framework
  --market M             auto (default: spot where it saves money, then on-demand), spot, on-demand
  --max-hourly-price P   cap in USD per hour for every launch attempt
  --root-volume-gib N    root volume size (default 100)
  --subnet-id S          launch into this subnet instead of the default VPC
  --instance-profile N   IAM instance profile (default: the stack's, else gpu-deploy-ssm, created when missing)
  --max-lifetime MIN     tear the deployment down this many minutes after launch (default: no lifetime)
  --idle-teardown MIN    tear down after this many idle minutes (GPU below 5%, no Ollama use, no session)
  --ami-fallback F       standard (plain OS + driver when no DLAMI of the type exists) or none; default
                         standard for base, none for pytorch/tensorflow/multi-framework
  --config FILE          a JSON request (see examples/)
  --json                 one JSON document on stdout; progress on stderr
`;

/** Options of the commands that talk to the deployed stack. */
const STACK_OPTION_SPEC = {
  stage: { type: 'string' },
  'stack-region': { type: 'string' },
  json: { type: 'boolean' },
  'poll-seconds': { type: 'string' },
  'timeout-seconds': { type: 'string' },
} as const;

function stackOptions(values: { stage?: string; 'poll-seconds'?: string; 'timeout-seconds'?: string }, stackRegion: string): StackOptions {
  const seconds = (flag: 'poll-seconds' | 'timeout-seconds'): number | undefined => {
    const value = values[flag];
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw Object.assign(new TypeError(`--${flag} must be a positive number of seconds`), { code: 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' });
    return n * 1000;
  };
  const pollMs = seconds('poll-seconds');
  const timeoutMs = seconds('timeout-seconds');
  return { stage: values.stage ?? 'dev', stackRegion, ...(pollMs === undefined ? {} : { pollMs }), ...(timeoutMs === undefined ? {} : { timeoutMs }) };
}

/** The one positional ID of status and teardown. */
function deploymentIdArg(positionals: string[], command: string): string {
  if (positionals.length !== 1) {
    throw Object.assign(new TypeError(`gpu-deploy ${command} takes one deployment id (got ${positionals.length})`), { code: 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' });
  }
  return positionals[0] as string;
}

const isUsageError = (error: unknown): boolean => String((error as { code?: unknown } | null)?.code ?? '').startsWith('ERR_PARSE_ARGS');

function fail(io: Io, json: boolean, error: unknown): number {
  const body = isUsageError(error)
    ? { error: 'UsageError', message: (error as Error).message, hint: 'See gpu-deploy --help' }
    : error instanceof GpuDeployError
      ? error.toJSON()
      : { error: error instanceof Error && error.name !== 'Error' ? error.name : 'CliError', message: error instanceof Error ? error.message : String(error) };
  if (json) printJson(io, { status: 'FAILED', ...body });
  else io.err(`error: ${body.error}: ${body.message}${'hint' in body && body.hint ? `\nhint: ${body.hint}` : ''}\n`);
  return isUsageError(error) ? 2 : 1;
}

/** Entry point of the command line; returns the exit code. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    io.out(USAGE);
    return command ? 0 : 2;
  }
  const json = rest.includes('--json');
  try {
    switch (command) {
      case 'run': {
        const { values } = parseArgs({
          args: rest,
          options: {
            ...REQUEST_OPTION_SPEC,
            local: { type: 'boolean' },
            aws: { type: 'boolean' },
            json: { type: 'boolean' },
            'simulate-host': { type: 'string' },
            'simulate-no-capacity': { type: 'string' },
            'simulate-failed-stage': { type: 'string' },
            'simulate-ssm-offline': { type: 'boolean' },
            'wait-ms': { type: 'string' },
          },
          strict: true,
        });
        if (values.local && values.aws) throw new GpuDeployError('--local and --aws exclude each other', { hint: 'Pass one of them' });
        const summary = await runCommand(
          {
            request: requestFromOptions(values),
            local: !values.aws,
            json,
            ...(values['simulate-host'] ? { simulateHost: values['simulate-host'] } : {}),
            ...(values['simulate-no-capacity'] ? { simulateNoCapacity: values['simulate-no-capacity'].split(',').map((z) => z.trim()).filter(Boolean) } : {}),
            ...(values['simulate-failed-stage'] ? { simulateFailedStage: values['simulate-failed-stage'] } : {}),
            ...(values['simulate-ssm-offline'] ? { simulateSsmOffline: true } : {}),
            ...(values['wait-ms'] ? { waitMs: Number(values['wait-ms']) } : {}),
          },
          io,
        );
        return summary.exitCode;
      }
      case 'plan':
      case 'ami': {
        const { values } = parseArgs({ args: rest, options: { ...REQUEST_OPTION_SPEC, local: { type: 'boolean' }, json: { type: 'boolean' } }, strict: true });
        const request = requestFromOptions(values);
        const options = { local: values.local === true, json };
        return command === 'plan' ? await planCommand(request, options, io) : await amiCommand(request, options, io);
      }
      case 'gpus': {
        const { values } = parseArgs({
          args: rest,
          options: { region: { type: 'string' }, 'instance-type': { type: 'string' }, local: { type: 'boolean' }, json: { type: 'boolean' } },
          strict: true,
        });
        const region = values.region ?? process.env.AWS_REGION ?? 'us-east-1';
        return await gpusCommand({ region, ...(values['instance-type'] ? { instanceType: values['instance-type'] } : {}), local: values.local === true, json }, io);
      }
      case 'start': {
        const { values } = parseArgs({ args: rest, options: { ...REQUEST_OPTION_SPEC, ...STACK_OPTION_SPEC, wait: { type: 'boolean' } }, strict: true });
        const request = requestFromOptions(values);
        const stackRegion = stackRegionFrom(values['stack-region'], typeof request.region === 'string' ? request.region : undefined);
        return await startCommand({ ...stackOptions(values, stackRegion), request, wait: values.wait === true }, io);
      }
      case 'status':
      case 'teardown': {
        const { values, positionals } = parseArgs({
          args: rest,
          options: { ...STACK_OPTION_SPEC, region: { type: 'string' }, ...(command === 'teardown' ? { wait: { type: 'boolean' } } : {}) },
          allowPositionals: true,
          strict: true,
        });
        const deploymentId = deploymentIdArg(positionals, command);
        const options = stackOptions(values, stackRegionFrom(values['stack-region'] ?? values.region, undefined));
        return command === 'status'
          ? await statusCommand({ ...options, deploymentId }, io)
          : await teardownCommand({ ...options, deploymentId, wait: (values as { wait?: boolean }).wait === true }, io);
      }
      case 'connect': return await (await import('./connect.js')).connectMain(rest, io);
      case 'tunnel': return await (await import('./tunnel.js')).tunnelMain(rest, io);
      case 'exec': return await (await import('./exec.js')).execMain(rest, io);
      case 'list': return await (await import('./list.js')).listMain(rest, io);
      case 'local-cloud': return await (await import('./local-cloud.js')).localCloudMain(rest, io);
      case 'doctor': {
        const { values } = parseArgs({ args: rest, options: { json: { type: 'boolean' }, 'skip-docker': { type: 'boolean' }, 'skip-ollama': { type: 'boolean' } }, strict: true });
        return await doctorCommand({ json, skipDocker: values['skip-docker'] === true, skipOllama: values['skip-ollama'] === true }, io);
      }
      default:
        io.err(`error: unknown command "${command}"\n\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    return fail(io, json, error);
  }
}
