import { FAILURE_FIXES, firstFix, groupFailures } from '../../../lib/verify/advice.js';
import { NVIDIA_FAILURE_CODES, type HealthFailure } from '../../../lib/verify/types.js';

const failure = (code: HealthFailure['code'], message: string): HealthFailure => ({ code, check: 'docker', message });

describe('what doctor says to do', () => {
  test('every failure code has one fix, a sentence that names a command or a cause', () => {
    const codes = Object.keys(FAILURE_FIXES);
    for (const code of NVIDIA_FAILURE_CODES) expect(codes).toContain(code);
    for (const fix of Object.values(FAILURE_FIXES)) expect(fix).toMatch(/^\S.{20,}[.)`]$/);
  });

  test('the machine without a GPU is told that doctor checks this machine, and where deployments are checked', () => {
    expect(FAILURE_FIXES.NVIDIA_SMI_MISSING).toContain('doctor checks the machine it runs on');
    expect(FAILURE_FIXES.NVIDIA_SMI_MISSING).toContain('over SSM');
    expect(FAILURE_FIXES.DOCKER_MISSING).toContain('--skip-docker');
  });

  test('failures group by code, first appearance first, each code once with its messages', () => {
    const groups = groupFailures([
      failure('NVIDIA_SMI_MISSING', 'no nvidia-smi'),
      failure('DOCKER_GPU_UNAVAILABLE', 'docker info failed'),
      failure('DOCKER_GPU_UNAVAILABLE', 'docker run failed'),
    ]);
    expect(groups).toEqual([
      { code: 'NVIDIA_SMI_MISSING', messages: ['no nvidia-smi'] },
      { code: 'DOCKER_GPU_UNAVAILABLE', messages: ['docker info failed', 'docker run failed'] },
    ]);
  });

  test("the closing fix is the first failure's: usually the cause of the rest", () => {
    expect(firstFix([failure('DRIVER_NOT_LOADED', 'x'), failure('DOCKER_GPU_UNAVAILABLE', 'y')])).toBe(FAILURE_FIXES.DRIVER_NOT_LOADED);
    expect(firstFix([])).toBeNull();
  });
});
