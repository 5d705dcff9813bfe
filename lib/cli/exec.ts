import { ec2Client } from '../aws/ec2.js';
import { ssmClient } from '../aws/ssm.js';
import { runningDeploymentInstance } from '../deployments/instance.js';
import { execOnInstance, SSM_STDOUT_LIMIT } from '../exec/remote.js';
import { stringValue } from './args.js';
import { commandSpec } from './commands.js';
import { integerOption, parseDay2 } from './day2-options.js';
import { printJson, type Io } from './output.js';

/**
 * `gpu-deploy exec ID [--timeout S] [--region R] [--local] [--json] -- COMMAND [ARG...]`: Run Command on the
 * deployment's instance. stdout and stderr are printed as SSM returns them; the exit status is the command's own.
 */
export async function execMain(args: string[], io: Io): Promise<number> {
  const split = args.indexOf('--');
  if (split < 0) throw Object.assign(new TypeError('gpu-deploy exec needs -- before the command: gpu-deploy exec ID -- nvidia-smi -L'), { code: 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE', hint: 'gpu-deploy exec --help' });
  const { target, values } = await parseDay2(args.slice(0, split), commandSpec('exec'));
  const argv = args.slice(split + 1);
  const timeoutSeconds = integerOption(stringValue(values, 'timeout'), 'timeout', 600, 1, 172_800);
  const instance = await runningDeploymentInstance(ec2Client(target.region), target.deploymentId, target.region);
  io.err(`Running on ${instance.InstanceId} (${target.deploymentId}, ${target.region}) through SSM Run Command...\n`);
  const result = await execOnInstance(ssmClient(target.region), instance.InstanceId, argv, { timeoutSeconds, pollMs: target.local ? 200 : 1000 });
  if (target.json) {
    printJson(io, { deploymentId: target.deploymentId, instanceId: result.instanceId, commandId: result.commandId, status: result.status, exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr, truncated: result.truncated });
  } else {
    io.out(result.stdout);
    io.err(result.stderr);
    if (result.truncated) io.err(`\n(stdout cut at SSM's ${SSM_STDOUT_LIMIT.toLocaleString('en-US')} characters: redirect to a file on the host and read it in parts)\n`);
    if (result.status !== 'Success') io.err(`Command ${result.status} (exit ${result.exitCode})\n`);
  }
  return result.exitCode;
}
