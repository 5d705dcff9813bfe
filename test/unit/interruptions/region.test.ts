import { InterruptionRegionUnsupportedError } from '../../../lib/errors.js';
import { assertInterruptionRegion } from '../../../lib/interruptions/region.js';

describe('assertInterruptionRegion', () => {
  test('relaunch of a spot-capable deployment in another region than the stack\'s → InterruptionRegionUnsupportedError naming both', () => {
    // Act
    const refuse = (): void => assertInterruptionRegion({ region: 'eu-west-1', market: 'auto', onInterruption: 'relaunch' }, 'us-east-1');
    // Assess
    expect(refuse).toThrow(InterruptionRegionUnsupportedError);
    try {
      refuse();
    } catch (error) {
      expect(error).toMatchObject({
        message: expect.stringContaining("the stack's region (us-east-1); this request deploys to eu-west-1"),
        hint: expect.stringContaining('npx serverless deploy --region eu-west-1'),
        details: { region: 'eu-west-1', stackRegion: 'us-east-1' },
      });
    }
    expect(() => assertInterruptionRegion({ region: 'eu-west-1', market: 'spot', onInterruption: 'relaunch' }, 'us-east-1')).toThrow(InterruptionRegionUnsupportedError);
  });

  test.each([
    ['the stack\'s own region', { region: 'us-east-1', market: 'auto', onInterruption: 'relaunch' }, 'us-east-1'],
    ['notify (the default)', { region: 'eu-west-1', market: 'auto', onInterruption: 'notify' }, 'us-east-1'],
    ['no onInterruption', { region: 'eu-west-1', market: 'auto' }, 'us-east-1'],
    ['on-demand (never interrupted)', { region: 'eu-west-1', market: 'on-demand', onInterruption: 'relaunch' }, 'us-east-1'],
    ['no known stack region', { region: 'eu-west-1', market: 'auto', onInterruption: 'relaunch' }, undefined],
  ] as const)('accepted: %s', (_name, request, stackRegion) => {
    expect(() => assertInterruptionRegion(request, stackRegion)).not.toThrow();
  });
});
