import { StackNotDeployedError } from '../api/errors.js';
import { readLocalCloudState } from '../local/cloud-state.js';

/**
 * Runs `find` (the deployed stack's lookup) for `gpu-deploy COMMAND ID` without --aws or --local. With no stack
 * there, the error says which flag fits: the deployment was made with `gpu-deploy run`, which needs no stack.
 *
 * @throws StackNotDeployedError naming --aws and --local (first when a local cloud is running)
 */
export async function withStack<T>(command: string, deploymentId: string, find: () => Promise<T>, region?: string): Promise<T> {
  try {
    return await find();
  } catch (error) {
    if (!(error instanceof StackNotDeployedError)) throw error;
    const local = `gpu-deploy ${command} ${deploymentId} --local (a deployment in the running gpu-deploy local-cloud)`;
    const aws = `gpu-deploy ${command} ${deploymentId} --aws --region ${region ?? 'R'} (a deployment made with gpu-deploy run --aws)`;
    const flags = readLocalCloudState() ? [local, aws] : [aws, local];
    throw new StackNotDeployedError(`${error.message}, and without --aws or --local gpu-deploy ${command} asks the stack`, {
      hint: `Use ${flags.join(', or ')}. The stack itself: ${error.hint ?? 'npx serverless deploy'}`,
      details: { ...error.details, deploymentId },
    });
  }
}
