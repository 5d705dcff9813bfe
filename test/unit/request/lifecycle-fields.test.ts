import { RequestInvalidError } from '../../../lib/errors.js';
import { parseRequest } from '../../../lib/request.js';
import { requestFromOptions } from '../../../lib/cli/request-options.js';

const problemsOf = (raw: unknown): string[] => {
  try {
    parseRequest(raw);
  } catch (error) {
    if (error instanceof RequestInvalidError) return (error.details?.problems ?? []) as string[];
    throw error;
  }
  throw new Error(`parseRequest accepted ${JSON.stringify(raw)}`);
};

describe('parseRequest: instance profile, lifetime, idle teardown, AMI fallback', () => {
  test('absent fields stay absent (no lifetime, no idle teardown, fallback by AMI type)', () => {
    const request = parseRequest({});
    expect(request).not.toHaveProperty('instanceProfile');
    expect(request).not.toHaveProperty('maxLifetimeMinutes');
    expect(request).not.toHaveProperty('idleTeardown');
    expect(request).not.toHaveProperty('amiFallback');
  });

  test('valid values are kept; the idle threshold defaults to 5%', () => {
    const request = parseRequest({ instanceProfile: 'my-ssm_profile+1', maxLifetimeMinutes: 120, idleTeardown: { minutes: 30 }, amiFallback: 'standard' });
    expect(request).toMatchObject({ instanceProfile: 'my-ssm_profile+1', maxLifetimeMinutes: 120, idleTeardown: { minutes: 30, gpuUtilizationBelowPercent: 5 }, amiFallback: 'standard' });
    expect(parseRequest({ idleTeardown: { minutes: 10, gpuUtilizationBelowPercent: 12.5 } }).idleTeardown).toEqual({ minutes: 10, gpuUtilizationBelowPercent: 12.5 });
  });

  test.each<[string, unknown, string]>([
    ['a profile name with a space', { instanceProfile: 'my profile' }, 'instanceProfile must be an IAM instance profile name'],
    ['a profile name with a shell quote', { instanceProfile: "x';reboot" }, 'instanceProfile must be'],
    ['a lifetime below 15 minutes', { maxLifetimeMinutes: 5 }, 'maxLifetimeMinutes must be an integer from 15 to 525600'],
    ['a fractional lifetime', { maxLifetimeMinutes: 60.5 }, 'maxLifetimeMinutes must be an integer'],
    ['idle teardown as a number', { idleTeardown: 30 }, 'idleTeardown must be an object'],
    ['idle teardown without minutes', { idleTeardown: { gpuUtilizationBelowPercent: 5 } }, 'idleTeardown.minutes is required'],
    ['idle minutes below 5', { idleTeardown: { minutes: 1 } }, 'idleTeardown.minutes must be an integer from 5 to 10080'],
    ['a threshold over 100', { idleTeardown: { minutes: 30, gpuUtilizationBelowPercent: 101 } }, 'idleTeardown.gpuUtilizationBelowPercent must be a number from 0 to 100'],
    ['an unknown idle field', { idleTeardown: { minutes: 30, cpu: 1 } }, 'idleTeardown.cpu is not a known field'],
    ['an unknown fallback', { amiFallback: 'ubuntu' }, 'amiFallback must be one of standard, none'],
  ])('%s is refused by name', (_what, raw, message) => {
    expect(problemsOf(raw).join('\n')).toContain(message);
  });

  test('the CLI flags map onto the same fields, --idle-teardown onto idleTeardown.minutes', () => {
    const raw = requestFromOptions({ 'instance-profile': 'p', 'max-lifetime': '120', 'idle-teardown': '30', 'ami-fallback': 'standard' }, {});
    expect(raw).toEqual({ instanceProfile: 'p', maxLifetimeMinutes: 120, idleTeardown: { minutes: 30 }, amiFallback: 'standard' });
    expect(parseRequest(raw).idleTeardown).toEqual({ minutes: 30, gpuUtilizationBelowPercent: 5 });
  });

  test('--idle-teardown keeps the threshold of the config file', () => {
    const merged = requestFromOptions({ 'idle-teardown': '45' }, {});
    expect(merged).toEqual({ idleTeardown: { minutes: 45 } });
  });
});
