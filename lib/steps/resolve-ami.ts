import type { EC2Client } from '@aws-sdk/client-ec2';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { getLatestDlami, type ResolvedImage } from '../ami/resolve.js';
import type { ValidatedDocument } from '../workflow/document.js';

/** ResolveAmi: the newest DLAMI for the request (proprietary-driver family for pre-Turing GPUs). */
export function resolveAmiStep(doc: ValidatedDocument, clients: { ec2: EC2Client; ssm: SSMClient }): Promise<ResolvedImage> {
  const { region, osType, architecture, amiType } = doc.request;
  // Volta and older GPUs are not supported by the open-source kernel modules of the OSS-driver DLAMIs.
  const legacyGpu = /^(V100|K80|M60)$/i.test(doc.instanceType.gpu.model);
  return getLatestDlami(clients, { region, osType, architecture, amiType, ...(legacyGpu ? { driver: 'proprietary' as const } : {}) });
}
