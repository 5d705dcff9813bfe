import type { DriverFamily } from '../ami/families.js';

/**
 * GPUs that the open-source NVIDIA kernel modules (the driver of the "OSS Nvidia Driver" DLAMIs) cannot drive:
 * those modules need Turing or newer. On EC2 that leaves Volta (V100: p3, p3dn), Maxwell (M60: g3, g3s) and
 * Kepler (K80: p2; K520: g2). They need the proprietary-driver DLAMIs.
 */
export const PROPRIETARY_DRIVER_GPUS: readonly string[] = ['V100', 'M60', 'K80', 'K520'];

const LEGACY_MODEL = new RegExp(`^(?:nvidia\\s+)?(?:tesla\\s+|grid\\s+)?(?:${PROPRIETARY_DRIVER_GPUS.join('|')})$`, 'i');

/**
 * True when the GPU model (as EC2's `GpuInfo.Gpus[].Name` reports it, e.g. `V100`, `A10G`) needs the proprietary
 * NVIDIA driver. Pure: the one place this rule lives.
 *
 * @example
 * needsProprietaryDriver('V100'); // true
 * needsProprietaryDriver('T4');   // false (Turing: the OSS driver serves it)
 */
export function needsProprietaryDriver(gpuModel: string): boolean {
  return LEGACY_MODEL.test(gpuModel.trim());
}

/** The DLAMI driver family a GPU model needs. */
export function driverFamilyFor(gpuModel: string): DriverFamily {
  return needsProprietaryDriver(gpuModel) ? 'proprietary' : 'oss';
}
