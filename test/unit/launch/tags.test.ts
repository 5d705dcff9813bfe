import { clientToken, DEPLOYMENT_TAG, deploymentIdFrom, deploymentTags, formatIdleTeardownTag, MANAGED_BY_TAG, parseIdleTeardownTag } from '../../../lib/launch/tags.js';

describe('deploymentTags', () => {
  test('user tags first, then Name, the deployment id and managed-by', () => {
    // Act
    const tags = deploymentTags('dep-1', { team: 'ml', project: 'x' });
    // Assess
    expect(tags).toEqual([
      { Key: 'team', Value: 'ml' },
      { Key: 'project', Value: 'x' },
      { Key: 'Name', Value: 'gpu-deploy-dep-1' },
      { Key: 'gpu-deploy:deployment-id', Value: 'dep-1' },
      { Key: 'gpu-deploy:managed-by', Value: 'gpu-deploy' },
    ]);
    expect(DEPLOYMENT_TAG).toBe('gpu-deploy:deployment-id');
    expect(MANAGED_BY_TAG).toBe('gpu-deploy:managed-by');
  });

  test('without extra tags only the project tags', () => {
    expect(deploymentTags('d').map((t) => t.Key)).toEqual(['Name', DEPLOYMENT_TAG, MANAGED_BY_TAG]);
  });

  test('the Name tag is cut to 255 characters', () => {
    expect(deploymentTags('x'.repeat(400)).find((t) => t.Key === 'Name')?.Value).toHaveLength(255);
  });
});

describe('clientToken', () => {
  test('deterministic per execution and attempt, distinct across attempts and executions, at most 64 ASCII chars', () => {
    // Prepare
    const spotA = { zone: 'us-east-1a', market: 'spot', instanceType: 'g5.xlarge' };
    const onDemandA = { ...spotA, market: 'on-demand' };
    // Act
    const a0 = clientToken('arn:aws:states:us-east-1:1:execution:deploy:run-1', spotA);
    const a0again = clientToken('arn:aws:states:us-east-1:1:execution:deploy:run-1', { ...spotA });
    const a1 = clientToken('arn:aws:states:us-east-1:1:execution:deploy:run-1', onDemandA);
    const b0 = clientToken('arn:aws:states:us-east-1:1:execution:deploy:run-2', spotA);
    // Assess
    expect(a0).toBe(a0again);
    expect(new Set([a0, a1, b0]).size).toBe(3);
    expect(a0).toMatch(/^gd-[0-9a-f]{48}$/);
    expect(clientToken('x'.repeat(10_000), { zone: 'z'.repeat(100), market: 'spot', instanceType: 'p5.48xlarge' }).length).toBeLessThanOrEqual(64);
  });
});

describe('deploymentIdFrom', () => {
  test.each([
    ['run-1_ok', 'run-1_ok'],
    ['a b:c/d', 'a-b-c-d'],
    ['x'.repeat(100), 'x'.repeat(80)],
  ])('%p → %p', (name, id) => {
    expect(deploymentIdFrom(name)).toBe(id);
  });

  test('an empty name gets a hash, usable in names and tags', () => {
    expect(deploymentIdFrom('')).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('deploymentTags: a Name of the user', () => {
  test('replaces the built-in Name (EC2 refuses a key twice)', () => {
    const tags = deploymentTags('dep-1', { Name: 'my-gpu' });
    expect(tags.filter((t) => t.Key === 'Name')).toEqual([{ Key: 'Name', Value: 'my-gpu' }]);
  });
});

describe('idle teardown tag', () => {
  test('round-trips through formatIdleTeardownTag and parseIdleTeardownTag', () => {
    const value = formatIdleTeardownTag({ minutes: 30, gpuUtilizationBelowPercent: 7.5 });
    expect(value).toBe('minutes=30 below=7.5');
    expect(parseIdleTeardownTag(value)).toEqual({ minutes: 30, gpuUtilizationBelowPercent: 7.5 });
  });

  test('a value it did not write is no policy', () => {
    expect(parseIdleTeardownTag(undefined)).toBeUndefined();
    expect(parseIdleTeardownTag('30 minutes')).toBeUndefined();
  });
});
