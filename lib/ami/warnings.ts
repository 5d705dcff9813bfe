/** What a user should know about the image a deployment gets, in words: shown by `plan` and in the result. */
import type { AmiType, Architecture, OsType, ResolvedAmi } from '../types.js';
import { OS_LABELS } from './families.js';
import { FRAMEWORK_LABELS } from './not-found.js';

/** Amazon Linux 2's end of support (AWS's announced date); the OS stays supported here because the contract has it. */
export const AL2_END_OF_SUPPORT = '2026-06-30';

export interface WarningContext {
  region: string;
  osType: OsType;
  architecture: Architecture;
  amiType: AmiType;
}

/**
 * The warnings for a request and its resolved image: an OS past (or near) its end of support, and a framework type
 * that fell back to the plain OS image (the framework is then not installed).
 *
 * @example
 * amiWarnings({ region: 'us-east-1', osType: 'ubuntu-24.04', architecture: 'arm64', amiType: 'tensorflow' }, { needsDriver: true });
 * // ['No tensorflow Deep Learning AMI exists for ubuntu-24.04 arm64 in us-east-1: … but no TensorFlow: the framework is NOT installed']
 */
export function amiWarnings(context: WarningContext, ami: Pick<ResolvedAmi, 'needsDriver'>, now: Date = new Date()): string[] {
  const warnings: string[] = [];
  if (context.osType === 'amazon-linux-2') {
    const ended = now.getTime() >= Date.parse(`${AL2_END_OF_SUPPORT}T00:00:00Z`);
    warnings.push(
      `Amazon Linux 2 ${ended ? 'reached' : 'reaches'} its end of support on ${AL2_END_OF_SUPPORT}${ended ? ' and gets no more security updates' : ''}: prefer --os-type amazon-linux-2023 or ubuntu-24.04`,
    );
  }
  if (ami.needsDriver && context.amiType !== 'base') {
    const framework = FRAMEWORK_LABELS[context.amiType];
    warnings.push(
      `No ${context.amiType} Deep Learning AMI exists for ${context.osType} ${context.architecture} in ${context.region}: amiFallback standard took the plain ${OS_LABELS[context.osType]} image, on which UserData installs the NVIDIA driver and CUDA toolkit but no ${framework}: the framework is NOT installed`,
    );
  }
  return warnings;
}
