import type { EC2Client } from '@aws-sdk/client-ec2';
import { markUnavailable } from '../capacity/unavailable.js';
import { launchInstance } from '../launch/instance.js';
import { renderUserData, toBase64UserData } from '../userdata/index.js';
import type { LaunchedDocument, PlannedDocument } from '../workflow/document.js';
import { estimateFor } from './plan-capacity.js';

/** Launch: UserData rendered for the AMI, then the planned attempts walked in order. */
export async function launchStep(
  doc: PlannedDocument,
  ec2: EC2Client,
  env: { instanceProfileName?: string },
): Promise<LaunchedDocument['launch']> {
  const { request, ami, deploymentId, plan } = doc;
  const userData = renderUserData({
    deploymentId,
    osType: request.osType,
    architecture: request.architecture,
    amiSource: ami.needsDriver ? 'standard' : 'dlami',
    ollama: request.ollama,
  });
  const launched = await launchInstance(
    ec2,
    {
      deploymentId,
      executionId: doc.execution.id,
      imageId: ami.imageId,
      rootVolumeGiB: Math.max(request.rootVolumeGiB, ami.rootSnapshotGiB ?? 0),
      ...(ami.rootDeviceName ? { rootDeviceName: ami.rootDeviceName } : {}),
      userDataBase64: toBase64UserData(userData),
      ...(env.instanceProfileName ? { instanceProfileName: env.instanceProfileName } : {}),
      ...(request.subnetId ? { subnetId: request.subnetId } : {}),
      tags: request.tags,
    },
    plan.attempts,
    (attempt) => markUnavailable(request.region, attempt),
  );
  // Always present (null when a price is unknown): the ASL's success output reads $.launch.estimate.
  const estimate = estimateFor(doc, plan.prices, launched.market, launched.zone) ?? null;
  return { ...launched, estimate };
}
