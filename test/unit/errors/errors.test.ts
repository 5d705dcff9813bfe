import {
  AwsThrottlingError,
  ERROR_CLASSES,
  ERROR_NAMES,
  GpuDeployError,
  InstanceTypeUnknownError,
  isGpuDeployError,
  LaunchPlanEmptyError,
  REQUEST_ERROR_NAMES,
  RequestInvalidError,
} from '../../../lib/errors.js';
import * as errors from '../../../lib/errors.js';

describe('GpuDeployError', () => {
  test('the base class names itself and keeps hint, details and cause', () => {
    // Prepare
    const cause = new Error('root');
    // Act
    const error = new GpuDeployError('boom', { hint: 'do this', details: { a: 1 }, cause });
    // Assess
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('GpuDeployError');
    expect(error.message).toBe('boom');
    expect(error.hint).toBe('do this');
    expect(error.details).toEqual({ a: 1 });
    expect(error.cause).toBe(cause);
  });

  test('without options there is no hint, no details and no cause property', () => {
    // Act
    const error = new GpuDeployError('plain');
    // Assess
    expect(error.hint).toBeUndefined();
    expect(error.details).toBeUndefined();
    expect('cause' in error).toBe(false);
  });

  test.each(ERROR_NAMES)('%s sets its own name and is a GpuDeployError', (name) => {
    // Act
    const error = new ERROR_CLASSES[name]('message');
    // Assess
    expect(error.name).toBe(name);
    expect(error.constructor.name).toBe(name);
    expect(error).toBeInstanceOf(GpuDeployError);
    expect(error).toBeInstanceOf(Error);
    expect(isGpuDeployError(error)).toBe(true);
  });

  test('toJSON carries error, message, hint and details', () => {
    // Prepare
    const error = new InstanceTypeUnknownError('No instance type "g5.xlargee"', {
      hint: 'Did you mean g5.xlarge?',
      details: { closeMatches: ['g5.xlarge'] },
    });
    // Act
    const json = error.toJSON();
    // Assess
    expect(json).toEqual({
      error: 'InstanceTypeUnknownError',
      message: 'No instance type "g5.xlargee"',
      hint: 'Did you mean g5.xlarge?',
      details: { closeMatches: ['g5.xlarge'] },
    });
    expect(JSON.parse(JSON.stringify(error))).toEqual(json);
  });

  test('toJSON leaves out an absent hint and details (no undefined keys)', () => {
    // Act
    const json = new AwsThrottlingError('slow down').toJSON();
    // Assess
    expect(json).toEqual({ error: 'AwsThrottlingError', message: 'slow down' });
    expect(Object.keys(json)).toEqual(['error', 'message']);
  });
});

describe('ERROR_NAMES', () => {
  test('are unique and each is the name of its class', () => {
    // Assess
    expect(new Set(ERROR_NAMES).size).toBe(ERROR_NAMES.length);
    for (const name of ERROR_NAMES) expect(ERROR_CLASSES[name].name).toBe(name);
  });

  test('follow the <Domain><Condition>Error naming and leave out the base class', () => {
    expect(ERROR_NAMES.every((name) => /^[A-Z][A-Za-z0-9]+Error$/.test(name))).toBe(true);
    expect(ERROR_NAMES).not.toContain('GpuDeployError');
    expect(ERROR_NAMES).toHaveLength(31);
  });

  test('request errors are a subset of the error names', () => {
    expect(REQUEST_ERROR_NAMES.every((name) => ERROR_NAMES.includes(name))).toBe(true);
    expect(REQUEST_ERROR_NAMES).toContain('RequestInvalidError');
    expect(REQUEST_ERROR_NAMES).toContain('LaunchPlanEmptyError');
    expect(REQUEST_ERROR_NAMES).not.toContain('AwsThrottlingError');
  });
});

describe('isGpuDeployError', () => {
  test.each<[unknown, boolean]>([
    [new RequestInvalidError('x'), true],
    [new LaunchPlanEmptyError('x'), true],
    [new Error('x'), false],
    [Object.assign(new Error('x'), { name: 'RequestInvalidError' }), false],
    [{ name: 'RequestInvalidError', message: 'x' }, false],
    [null, false],
    ['RequestInvalidError', false],
  ])('%p → %p', (value, expected) => {
    expect(isGpuDeployError(value)).toBe(expected);
  });
});

describe('issue 12 errors (entry-point errors, not state machine branches)', () => {
  test.each([
    'InstanceProfileUnavailableError',
    'InstanceProfileNotFoundError',
    'DeploymentInstanceNotFoundError',
    'SessionManagerPluginMissingError',
    'SessionPluginFailedError',
    'ExecTimeoutError',
    'LocalCloudNotRunningError',
    'LocalPortInUseError',
  ] as const)('%s names itself and is a GpuDeployError', (name) => {
    // Act
    const error = new errors[name]('message', { hint: 'do this' });
    // Assess
    expect(error.name).toBe(name);
    expect(error).toBeInstanceOf(GpuDeployError);
    expect(error.toJSON()).toEqual({ error: name, message: 'message', hint: 'do this' });
  });
});
