import { printFailure } from './failure.js';
import { processIo, type Io } from './output.js';

const USAGE = `gpu-deploy: turn a GPU request into a verified, GPU-ready EC2 instance.

Usage:
  gpu-deploy run [request options] [--local | --aws] [--json]
      Run the deploy state machine in this process with the real handlers. --local (default) starts a local
      AWS emulator; --aws uses whatever the AWS SDK is configured for (AWS_PROFILE, AWS_REGION, ...).
      Local simulation: --simulate-host FAULT, --simulate-no-capacity ZONE[,ZONE], --simulate-failed-stage STAGE,
      --simulate-ssm-offline, --wait-ms N (each Wait state's length; with --aws too, for an emulator).

  gpu-deploy plan [request options] [--local] [--json]
      Validation, the AMI, the ordered launch attempts (zone x market) and the cost estimate. Launches nothing.
  gpu-deploy ami [--region R] [--os-type O] [--architecture A] [--ami-type K] [--ami-fallback F] [--local] [--json]
      The Deep Learning AMI a deployment would use, and how it was found.
  gpu-deploy gpus [--region R] [--instance-type T] [--local] [--json]
      NVIDIA GPU instance types of the region: GPU, memory, vCPUs, architecture, zones, on-demand and spot price.
  gpu-deploy doctor [--skip-docker] [--skip-ollama] [--json]
      The GPU health check that deployments run over SSM, on this host. Exit 0 only when the GPU is healthy; the
      last line says what to do about the first problem. --skip-docker runs no Docker probe at all (docker info,
      the --gpus all container, Ollama's container logs), so the GPU alone decides; --skip-ollama skips Ollama's
      API and logs.

  --local on plan/ami/gpus answers from the local emulator instead of your AWS account.

  gpu-deploy start [request options] [--stage S] [--stack-region R] [--wait] [--json]
      Start the deployed deploy state machine (stack gpu-deploy-<stage>, found by its CloudFormation outputs).
      --wait follows the execution's states and prints the result (exit 1 when it failed).
  gpu-deploy status ID [--stage S] [--region R] [--json]
      A deployment's status: RUNNING, SUCCEEDED with its result, or FAILED with the named error (exit 1).
  gpu-deploy teardown ID [--stage S] [--region R] [--wait] [--json]
      Remove an ended deployment: everything tagged gpu-deploy:deployment-id=ID, through the teardown state machine.

  gpu-deploy extend ID --minutes N | --none [--region R] [--stage S] [--stack-region R] [--json]
      Move the deployment's deadline N minutes later (from now when it has none), or remove it: the instance's
      own backstop (Run Command), its gpu-deploy:expires-at tag, and the stack's teardown schedule.

  gpu-deploy connect ID [--region R] [--local]
      An interactive shell on the deployment's instance through Session Manager (AWS's session-manager-plugin).
  gpu-deploy tunnel ID [--local-port N] [--remote-port N] [--region R] [--local] [--json]
      Port forwarding through Session Manager (both default 11434: Ollama at http://127.0.0.1:11434) until Ctrl-C.
  gpu-deploy exec ID [--timeout S] [--region R] [--local] [--json] -- COMMAND [ARG...]
      Run Command on the instance; each ARG reaches it as one word; the exit status is the command's own.
  gpu-deploy list [--region R | --all-regions] [--local] [--json]
      Every instance gpu-deploy manages: state, uptime, price, cost so far, lifetime, the way in; and the totals.
  gpu-deploy workspace list [--region R | --all-regions] [--local] [--json]
  gpu-deploy workspace delete NAME [--region R] [--local] [--json]
      The workspaces (EFS, kept across instances): size, storage cost per month, the deployments using them; delete
      one (refused while a deployment uses it). Nothing automatic ever deletes a workspace.
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
  --workspace NAME       mount the workspace NAME (EFS, made on first use, kept after the instance) at /workspace
  --config FILE          a JSON request (see examples/)
  --json                 one JSON document on stdout; progress on stderr
`;


/**
 * The subcommand's own module, imported only when it is the one asked for: each one parses its arguments and loads
 * the AWS SDK clients it needs, so `--help` and a typo load none of them. Undefined for an unknown command.
 */
async function dispatch(command: string, rest: string[], io: Io): Promise<number | undefined> {
  switch (command) {
    case 'run': return (await import('./run.js')).runMain(rest, io);
    case 'plan': return (await import('./plan.js')).planMain(rest, io);
    case 'ami': return (await import('./ami.js')).amiMain(rest, io);
    case 'gpus': return (await import('./gpus.js')).gpusMain(rest, io);
    case 'start': return (await import('./start.js')).startMain(rest, io);
    case 'status': return (await import('./status.js')).statusMain(rest, io);
    case 'teardown': return (await import('./teardown.js')).teardownMain(rest, io);
    case 'doctor': return (await import('./doctor.js')).doctorMain(rest, io);
    case 'extend': return (await import('./extend.js')).extendMain(rest, io);
    case 'connect': return (await import('./connect.js')).connectMain(rest, io);
    case 'tunnel': return (await import('./tunnel.js')).tunnelMain(rest, io);
    case 'exec': return (await import('./exec.js')).execMain(rest, io);
    case 'list': return (await import('./list.js')).listMain(rest, io);
    case 'workspace': return (await import('./workspace.js')).workspaceMain(rest, io);
    case 'local-cloud': return (await import('./local-cloud.js')).localCloudMain(rest, io);
    default: return undefined;
  }
}

/** Entry point of the command line; returns the exit code. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    io.out(USAGE);
    return command ? 0 : 2;
  }
  try {
    const code = await dispatch(command, rest, io);
    if (code !== undefined) return code;
    io.err(`error: unknown command "${command}"\n\n${USAGE}`);
    return 2;
  } catch (error) {
    return printFailure(io, rest.includes('--json'), error);
  }
}
