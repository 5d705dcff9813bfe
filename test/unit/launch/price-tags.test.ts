import type { LaunchAttempt } from '../../../lib/capacity/plan.js';
import { priceTags, runInstancesInput, type LaunchInput } from '../../../lib/launch/instance.js';

const INPUT: LaunchInput = { deploymentId: 'dep-1', executionId: 'exec-1', imageId: 'ami-0abc', rootVolumeGiB: 100, userDataBase64: '', tags: {} };
const SPOT_A: LaunchAttempt = { zone: 'us-east-1a', market: 'spot', instanceType: 'g5.xlarge', maxPrice: 1.006, expectedHourly: 0.4, reason: 'spot' };
const OD_A: LaunchAttempt = { zone: 'us-east-1a', market: 'on-demand', instanceType: 'g5.xlarge', expectedHourly: 1.006, reason: 'od' };
const NETWORK = { subnetId: 'subnet-1', securityGroupId: 'sg-1' };

describe('priceTags', () => {
  test('the planned price and its source are tags of the launched attempt, by market; an unknown price writes none', () => {
    // Prepare
    const sources = { spot: 'describe-spot-price-history', onDemand: 'pricing-api' };
    // Act + Assess
    expect(priceTags(SPOT_A, sources)).toEqual({ 'gpu-deploy:hourly-price': '0.4000', 'gpu-deploy:price-source': 'describe-spot-price-history' });
    expect(priceTags(OD_A, sources)).toEqual({ 'gpu-deploy:hourly-price': '1.0060', 'gpu-deploy:price-source': 'pricing-api' });
    const { expectedHourly: _unknown, ...unpriced } = OD_A;
    expect(priceTags(unpriced, sources)).toEqual({});
    const tags = runInstancesInput({ ...INPUT, priceSources: sources }, SPOT_A, NETWORK).TagSpecifications?.[0]?.Tags;
    expect(tags).toContainEqual({ Key: 'gpu-deploy:price-source', Value: 'describe-spot-price-history' });
  });

});
