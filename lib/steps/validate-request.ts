import type { EC2Client } from '@aws-sdk/client-ec2';
import { assertRegionExists } from '../aws/regions.js';
import { describeInstanceType, offeredZones } from '../catalog/catalog.js';
import { validateInstanceType } from '../catalog/validate.js';
import { RequestInvalidError } from '../errors.js';
import { assertInterruptionRegion } from '../interruptions/region.js';
import { deploymentIdFrom } from '../launch/tags.js';
import { parseRequest } from '../request.js';
import type { Execution, ValidatedDocument } from '../workflow/document.js';

/**
 * ValidateRequest: the request is well-formed, the GPU type can serve it in the region, and what it asks of the
 * stack (a spot relaunch) works from the stack's region (`stackRegion`: the Lambda's own AWS_REGION).
 */
export async function validateStep(
  event: { request: unknown; execution: Execution },
  ec2: (region: string) => EC2Client,
  stackRegion?: string,
): Promise<ValidatedDocument> {
  if (!event.execution?.id || !event.execution.name) {
    throw new RequestInvalidError('The state machine passed no execution context', { hint: 'Start the deployment through the deploy state machine' });
  }
  const request = parseRequest(event.request);
  assertInterruptionRegion(request, stackRegion);
  // A region that does not exist is the request's mistake, named before EC2 is asked (regions.ts).
  await assertRegionExists(request.region);
  const client = ec2(request.region);
  const [info, zones] = await Promise.all([describeInstanceType(client, request.instanceType), offeredZones(client, request.instanceType)]);
  const instanceType = validateInstanceType(request, info, zones);
  return { deploymentId: deploymentIdFrom(event.execution.name), execution: event.execution, request, instanceType, zones };
}
