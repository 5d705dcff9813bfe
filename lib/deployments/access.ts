import { shellQuote } from '../userdata/quote.js';

/** The way in: the exact commands that reach a deployment's GPU, show it, and end it. */
export interface AccessBlock {
  connect: string;
  tunnel: string;
  exec: string;
  status: string;
  teardown: string;
  ollama: string;
}

/**
 * How the deployment was made, so its commands look in the same place: `stack` (the deployed stack: no flag),
 * `aws` (`gpu-deploy run --aws`: `--aws`, no stack needed), `local` (the running `gpu-deploy local-cloud`: `--local`).
 */
export type DeploymentVia = 'stack' | 'aws' | 'local';

/** What a local run (`gpu-deploy run`) names its executions: no Step Functions account has these ARNs. */
export const LOCAL_STATES_ARN_PREFIX = 'arn:aws:states:local:000000000000:';

/** Where a deployment was made, from the execution ARN it was launched by (its gpu-deploy:execution-arn tag). */
export const viaOfExecution = (executionArn: string | undefined): DeploymentVia => (executionArn?.startsWith(LOCAL_STATES_ARN_PREFIX) ? 'aws' : 'stack');

/** The region of a Step Functions ARN (`arn:aws:states:eu-west-1:…`): where the stack that ran it is. */
export const regionOfArn = (arn: string | undefined): string | undefined => /^arn:aws[a-z-]*:states:([a-z]{2}[a-z0-9-]*-\d):/.exec(arn ?? '')?.[1];

const FLAG: Record<DeploymentVia, string> = { stack: '', aws: ' --aws', local: ' --local' };

/**
 * The `connect`, `tunnel`, `exec`, `status` and `teardown` commands of one deployment and region, each with the
 * flag that finds it the way it was made. Through the stack, `status` and `teardown` ask the stack's state machines,
 * so they name the stack's region (`stackRegion`), not the deployment's.
 *
 * @example
 * accessCommands('cli-3f1c', 'eu-west-1').tunnel // 'gpu-deploy tunnel cli-3f1c --region eu-west-1'
 * accessCommands('run-1', 'us-east-1', { via: 'aws' }).teardown // 'gpu-deploy teardown run-1 --region us-east-1 --aws'
 */
export function accessCommands(deploymentId: string, region: string, options: { via?: DeploymentVia; stackRegion?: string } = {}): AccessBlock {
  const id = shellQuote(deploymentId).replace(/^'([A-Za-z0-9_-]+)'$/, '$1');
  const where = `${id} --region ${region}${FLAG[options.via ?? 'stack']}`;
  const stackSide = (options.via ?? 'stack') === 'stack' ? `${id}${options.stackRegion ? ` --stack-region ${options.stackRegion}` : ''}` : where;
  return {
    connect: `gpu-deploy connect ${where}`,
    tunnel: `gpu-deploy tunnel ${where}`,
    exec: `gpu-deploy exec ${where} -- nvidia-smi`,
    status: `gpu-deploy status ${stackSide}`,
    teardown: `gpu-deploy teardown ${stackSide}`,
    ollama: 'http://127.0.0.1:11434 while the tunnel runs',
  };
}
