import type { Instance } from '@aws-sdk/client-ec2';
import { accessCommands, LOCAL_STATES_ARN_PREFIX, regionOfArn, viaOfExecution } from '../../../lib/deployments/access.js';
import { deploymentRow, lifetimeText, totals, totalsLine } from '../../../lib/deployments/rows.js';

const NOW = new Date('2026-12-02T12:00:00Z');
const instance = (over: Partial<Instance> = {}, tags: Record<string, string> = {}): Instance => ({
  InstanceId: 'i-1',
  InstanceType: 'g5.xlarge',
  State: { Name: 'running' },
  Placement: { AvailabilityZone: 'us-east-1b' },
  LaunchTime: new Date('2026-12-02T10:00:00Z'),
  Tags: Object.entries({ 'gpu-deploy:deployment-id': 'dep-1', 'gpu-deploy:managed-by': 'gpu-deploy', ...tags }).map(([Key, Value]) => ({ Key, Value })),
  ...over,
});

describe('deploymentRow: uptime x the price tagged at launch', () => {
  test('a spot instance 2 h up at $0.3890/h: $0.78 so far', () => {
    // Act
    const row = deploymentRow(instance({ InstanceLifecycle: 'spot' }, { 'gpu-deploy:hourly-price': '0.3890', 'gpu-deploy:price-source': 'describe-spot-price-history' }), 'us-east-1', NOW);
    // Assess
    expect(row).toMatchObject({ deploymentId: 'dep-1', market: 'spot', uptimeHours: 2, hourlyPrice: 0.389, priceSource: 'describe-spot-price-history', costSoFar: 0.78, launchedAt: '2026-12-02T10:00:00.000Z' });
  });

  test('on-demand 90 minutes at $1.006/h: $1.51', () => {
    // Act
    const row = deploymentRow(instance({ LaunchTime: new Date('2026-12-02T10:30:00Z') }, { 'gpu-deploy:hourly-price': '1.0060' }), 'us-east-1', NOW);
    // Assess
    expect(row).toMatchObject({ market: 'on-demand', uptimeHours: 1.5, costSoFar: 1.51, priceSource: null });
  });

  test('no price tag (or a value that is not a price): unknown, never $0', () => {
    // Assess
    expect(deploymentRow(instance(), 'us-east-1', NOW)).toMatchObject({ hourlyPrice: null, costSoFar: null });
    expect(deploymentRow(instance({}, { 'gpu-deploy:hourly-price': 'abc' }), 'us-east-1', NOW).hourlyPrice).toBeNull();
    expect(deploymentRow(instance({}, { 'gpu-deploy:hourly-price': '0' }), 'us-east-1', NOW).hourlyPrice).toBeNull();
  });

  test('a stopped instance bills no compute: no uptime, nothing so far', () => {
    // Act
    const row = deploymentRow(instance({ State: { Name: 'stopped' } }, { 'gpu-deploy:hourly-price': '1.0' }), 'us-east-1', NOW);
    // Assess
    expect(row).toMatchObject({ state: 'stopped', uptimeHours: 0, costSoFar: 0 });
  });

  test('lifetime and idle policy from their tags; neither: runs until you tear it down', () => {
    // Act
    const timed = deploymentRow(instance({}, { 'gpu-deploy:expires-at': '2026-12-02T14:00:00Z', 'gpu-deploy:idle-teardown': 'minutes=30 below=5' }), 'us-east-1', NOW);
    const open = deploymentRow(instance(), 'us-east-1', NOW);
    // Assess
    expect(timed).toMatchObject({ expiresAt: '2026-12-02T14:00:00Z', idleTeardown: { minutes: 30, gpuUtilizationBelowPercent: 5 } });
    expect(timed.lifetime).toBe('expires at 2026-12-02T14:00:00Z; torn down after 30 idle minutes (GPU below 5%)');
    expect(open.lifetime).toBe('no lifetime: runs until you tear it down');
    expect(lifetimeText(null, { minutes: 10, gpuUtilizationBelowPercent: 2.5 })).toBe('torn down after 10 idle minutes (GPU below 2.5%)');
  });

  test('the last verification from the tags: verified, interrupted, or unknown', () => {
    // Assess
    expect(deploymentRow(instance({}, { 'gpu-deploy:verified-at': '2026-12-02T10:04:00Z' }), 'us-east-1', NOW).verification).toBe('GPU verified at 2026-12-02T10:04:00Z');
    expect(deploymentRow(instance({}, { 'gpu-deploy:interrupted-at': '2026-12-02T11:00:00Z' }), 'us-east-1', NOW).verification).toContain('spot interruption');
    expect(deploymentRow(instance({ LaunchTime: undefined, Tags: undefined }), 'us-east-1', NOW)).toMatchObject({ verification: 'unknown', launchedAt: null, deploymentId: '' });
  });
});

describe('totals', () => {
  test('3 running, $2.41/h, $57.80 so far; a stopped one and an unpriced one are not summed', () => {
    // Prepare
    const priced = [0.389, 1.006, 1.015].map((price, i) => deploymentRow(instance({ InstanceId: `i-${i}`, LaunchTime: new Date(NOW.getTime() - 24 * 3_600_000) }, { 'gpu-deploy:hourly-price': String(price) }), 'us-east-1', NOW));
    const stopped = deploymentRow(instance({ State: { Name: 'stopped' } }, { 'gpu-deploy:hourly-price': '5' }), 'us-east-1', NOW);
    const unpriced = deploymentRow(instance(), 'us-east-1', NOW);
    // Act
    const sum = totals([...priced, stopped]);
    const withUnknown = totals([...priced, unpriced]);
    // Assess
    expect(sum).toEqual({ running: 3, hourly: 2.41, soFar: 57.84, unknownPrice: 0 });
    expect(totalsLine(sum)).toBe('3 running, $2.41/h, $57.84 so far');
    expect(totalsLine(withUnknown)).toBe('4 running, $2.41/h, $57.84 so far (1 without a known price, not counted)');
  });
});

describe('accessCommands', () => {
  test('the exact commands for the deployment and its region, each with the flag of how it was made', () => {
    // Act
    const stack = accessCommands('cli-3f1c', 'eu-west-1', { stackRegion: 'us-east-1' });
    const aws = accessCommands('run-2', 'eu-west-1', { via: 'aws' });
    const local = accessCommands('run-1', 'us-east-1', { via: 'local' });
    // Assess: through the stack, status and teardown ask the stack's region.
    expect(stack).toMatchObject({
      connect: 'gpu-deploy connect cli-3f1c --region eu-west-1',
      tunnel: 'gpu-deploy tunnel cli-3f1c --region eu-west-1',
      status: 'gpu-deploy status cli-3f1c --stack-region us-east-1',
      teardown: 'gpu-deploy teardown cli-3f1c --stack-region us-east-1',
    });
    expect(aws).toMatchObject({ exec: 'gpu-deploy exec run-2 --region eu-west-1 --aws -- nvidia-smi', status: 'gpu-deploy status run-2 --region eu-west-1 --aws', teardown: 'gpu-deploy teardown run-2 --region eu-west-1 --aws' });
    expect(local.tunnel).toBe('gpu-deploy tunnel run-1 --region us-east-1 --local');
    expect(local.teardown).toBe('gpu-deploy teardown run-1 --region us-east-1 --local');
  });

  test('how a listed instance was made: a local run\'s execution ARN is --aws, a stack\'s names its region', () => {
    expect(viaOfExecution(`${LOCAL_STATES_ARN_PREFIX}execution:gpu-deploy-deploy:run-1`)).toBe('aws');
    expect(viaOfExecution('arn:aws:states:eu-west-1:123456789012:execution:gpu-deploy-dev-deploy:api-1')).toBe('stack');
    expect(viaOfExecution(undefined)).toBe('stack');
    expect(regionOfArn('arn:aws:states:eu-west-1:123456789012:execution:gpu-deploy-dev-deploy:api-1')).toBe('eu-west-1');
    expect(regionOfArn(`${LOCAL_STATES_ARN_PREFIX}execution:x:y`)).toBeUndefined();
  });
});
