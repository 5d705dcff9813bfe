import { shellQuote } from '../userdata/quote.js';

/** The way in: the exact commands that reach a deployment's GPU, and the one that ends it. */
export interface AccessBlock {
  connect: string;
  tunnel: string;
  exec: string;
  teardown: string;
  ollama: string;
}

/**
 * The `connect`, `tunnel`, `exec` and `teardown` commands of one deployment and region; `local` adds `--local`
 * (the local cloud of `gpu-deploy local-cloud`).
 *
 * @example
 * accessCommands('cli-3f1c', 'eu-west-1').tunnel // 'gpu-deploy tunnel cli-3f1c --region eu-west-1'
 */
export function accessCommands(deploymentId: string, region: string, options: { local?: boolean } = {}): AccessBlock {
  const where = `${shellQuote(deploymentId).replace(/^'([A-Za-z0-9_-]+)'$/, '$1')} --region ${region}${options.local ? ' --local' : ''}`;
  return {
    connect: `gpu-deploy connect ${where}`,
    tunnel: `gpu-deploy tunnel ${where}`,
    exec: `gpu-deploy exec ${where} -- nvidia-smi`,
    teardown: `gpu-deploy teardown ${where.replace(' --local', '')}`,
    ollama: 'http://127.0.0.1:11434 while the tunnel runs',
  };
}
