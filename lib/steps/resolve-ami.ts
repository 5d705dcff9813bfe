import type { EC2Client } from '@aws-sdk/client-ec2';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { getLatestDlami, type ResolvedImage } from '../ami/resolve.js';
import { amiWarnings } from '../ami/warnings.js';
import { driverFamilyFor } from '../catalog/driver.js';
import { DriverUnsupportedError } from '../errors.js';
import type { ValidatedDocument } from '../workflow/document.js';

/** The resolved image plus what the user must be told about it (always present: the result reads `$.ami.warnings`). */
export type ResolvedStepImage = ResolvedImage & { warnings: string[] };

/**
 * ResolveAmi: the newest DLAMI for the request. GPUs older than Turing (V100, M60, K80) get the
 * proprietary-driver family, or a DriverUnsupportedError that names the instance type and GPU: never the
 * OSS-driver family or the standard image, which cannot drive them. A framework type falls back to the plain OS
 * only with `amiFallback: "standard"`, and then the warnings say the framework is not installed.
 */
export async function resolveAmiStep(
  doc: ValidatedDocument,
  clients: { ec2: EC2Client; ssm: SSMClient },
  now: Date = new Date(),
): Promise<ResolvedStepImage> {
  const { region, osType, architecture, amiType, amiFallback } = doc.request;
  const { instanceType, gpu } = doc.instanceType;
  const driver = driverFamilyFor(gpu.model);
  try {
    const image = await getLatestDlami(clients, {
      region,
      osType,
      architecture,
      amiType,
      ...(driver === 'proprietary' ? { driver } : {}),
      ...(amiFallback === undefined ? {} : { fallback: amiFallback }),
    });
    return { ...image, warnings: amiWarnings(doc.request, image, now) };
  } catch (error) {
    if (!(error instanceof DriverUnsupportedError)) throw error;
    throw new DriverUnsupportedError(`${instanceType} has an NVIDIA ${gpu.model}, which needs the proprietary NVIDIA driver. ${error.message}`, {
      cause: error,
      ...(error.hint === undefined ? {} : { hint: error.hint }),
      details: { instanceType, gpuModel: gpu.model, ...error.details },
    });
  }
}
