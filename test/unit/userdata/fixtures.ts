/** Option sets shared by the userdata tests. */
import type { UserDataOptions } from '../../../lib/userdata/index.js';
import { ARCHITECTURES, OS_TYPES } from '../../../lib/types.js';
import type { OllamaOptions } from '../../../lib/types.js';

export const baseOptions = (overrides: Partial<UserDataOptions> = {}): UserDataOptions => ({
  deploymentId: 'dep-123',
  osType: 'ubuntu-22.04',
  architecture: 'x86_64',
  amiSource: 'dlami',
  ollama: { enabled: true, image: 'ollama/ollama:latest', visibleDevices: 'all' },
  ...overrides,
});

export const OLLAMA_VARIANTS: Record<string, OllamaOptions> = {
  off: { enabled: false, image: 'ollama/ollama:latest', visibleDevices: 'all' },
  on: { enabled: true, image: 'ollama/ollama:latest', visibleDevices: 'all' },
  'on+model': {
    enabled: true,
    image: 'ollama/ollama:0.5.7',
    visibleDevices: '0,1',
    maxVramMiB: 8192,
    model: 'llama3.2:1b',
  },
};

/** Every osType x architecture x amiSource (16 combinations). */
export const PLATFORMS = OS_TYPES.flatMap((osType) =>
  ARCHITECTURES.flatMap((architecture) =>
    (['dlami', 'standard'] as const).map((amiSource) => ({ osType, architecture, amiSource })),
  ),
);

/** The install command every apt install runs (lock timeout, and config files never prompt). */
export const APT_INSTALL =
  'apt-get -o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold -q -y install';
