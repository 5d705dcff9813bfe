/** What an AMI lookup asks for: the region and the OS x architecture x type (and driver family) combination. */
import type { AmiFallback, AmiType, Architecture, OsType } from '../types.js';
import type { DriverFamily } from './families.js';

export interface AmiQuery {
  region: string;
  osType: OsType;
  architecture: Architecture;
  amiType: AmiType;
  driver?: DriverFamily;
  /** When no DLAMI of the type exists; unset means {@link effectiveFallback}'s default. */
  fallback?: AmiFallback;
}
