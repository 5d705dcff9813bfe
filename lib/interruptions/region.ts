import { InterruptionRegionUnsupportedError } from '../errors.js';
import type { DeploymentRequest } from '../types.js';

/**
 * Refuses `onInterruption: relaunch` where it could never happen: EC2 sends a spot instance's interruption warning
 * to EventBridge in the instance's own region, and the stack's rule lives in the stack's region only. A spot-capable
 * request (market auto or spot) to another region would silently never be relaunched. `notify` is not refused:
 * the deployment works, only the warning is not seen (docs/lifecycle.md says so). An unknown stack region (no
 * AWS_REGION, as in some local runs) checks nothing.
 *
 * @throws InterruptionRegionUnsupportedError
 * @example
 * assertInterruptionRegion({ ...request, region: 'eu-west-1', onInterruption: 'relaunch' }, 'us-east-1'); // throws
 */
export function assertInterruptionRegion(
  request: Pick<DeploymentRequest, 'region' | 'market' | 'onInterruption'>,
  stackRegion: string | undefined,
): void {
  if (!stackRegion || request.onInterruption !== 'relaunch' || request.market === 'on-demand' || request.region === stackRegion) return;
  throw new InterruptionRegionUnsupportedError(
    `onInterruption "relaunch" needs the deployment in the stack's region (${stackRegion}); this request deploys to ${request.region}, whose spot interruption warnings never reach the stack's rule`,
    {
      hint: `Deploy the stack in ${request.region} (npx serverless deploy --region ${request.region}) and start the deployment there, use onInterruption "notify", or market "on-demand"`,
      details: { region: request.region, stackRegion },
    },
  );
}
