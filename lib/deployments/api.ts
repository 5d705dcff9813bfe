import type { EC2Client } from '@aws-sdk/client-ec2';
import { RequestInvalidError } from '../errors.js';
import { errorResponse, json, type ApiEvent, type ApiResponse } from '../api/http.js';
import { REGION } from '../request.js';
import { enabledRegions, listDeployments } from './list.js';

/** The query of GET /deployments: `?region=R` or `?allRegions=true`; the stack's region by default. */
export type ListEvent = ApiEvent;

/**
 * GET /deployments: every instance gpu-deploy manages, newest first, with uptime, price, cost so far, lifetime and
 * access commands, and the totals: the same document as `gpu-deploy list --json`.
 */
export async function getDeployments(event: ListEvent, ec2For: (region: string) => EC2Client, homeRegion: string, now: Date = new Date()): Promise<ApiResponse> {
  try {
    const query = event.queryStringParameters ?? {};
    const region = query.region ?? homeRegion;
    if (!REGION.test(region)) throw new RequestInvalidError(`region ${JSON.stringify(region.slice(0, 40))} is not an AWS region name`, { hint: 'Use ?region=eu-west-1, or ?allRegions=true' });
    const regions = query.allRegions === 'true' ? await enabledRegions(ec2For(region)) : [region];
    return json(200, await listDeployments(regions, ec2For, now));
  } catch (error) {
    return errorResponse(error);
  }
}
