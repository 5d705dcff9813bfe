import { describeAlternatives, withAlternatives, type Alternative } from '../../../lib/capacity/suggest.js';
import { CapacityUnavailableError, LaunchPlanEmptyError } from '../../../lib/errors.js';

const G6: Alternative = { instanceType: 'g6.xlarge', gpu: { model: 'L4', count: 1, memoryGiB: 22 }, vcpus: 4, onDemandHourly: 0.8048, priceSource: 'pricing-api', quota: 'within' };
const G6E: Alternative = { instanceType: 'g6e.xlarge', gpu: { model: 'L40S', count: 1, memoryGiB: 45 }, vcpus: 4, onDemandHourly: 1.861, quota: 'unknown' };
const P5: Alternative = { instanceType: 'p5.4xlarge', gpu: { model: 'H100', count: 1, memoryGiB: 80 }, vcpus: 16, quota: 'unknown' };

describe('describeAlternatives', () => {
  test.each([
    [[], ''],
    [[G6], 'try g6.xlarge ($0.80/h, 1 x L4 22 GiB)'],
    [[G6, G6E], 'try g6.xlarge ($0.80/h, 1 x L4 22 GiB) or g6e.xlarge ($1.86/h, 1 x L40S 45 GiB)'],
    [[G6, G6E, P5], 'try g6.xlarge ($0.80/h, 1 x L4 22 GiB), g6e.xlarge ($1.86/h, 1 x L40S 45 GiB) or p5.4xlarge (price unknown, 1 x H100 80 GiB)'],
  ])('%#', (alternatives, text) => {
    expect(describeAlternatives(alternatives)).toBe(text);
  });
});

describe('withAlternatives', () => {
  test('the same class and name, the suggestion in the message, the list in details, hint and cause kept', () => {
    // Prepare
    const cause = new Error('root');
    const original = new CapacityUnavailableError('No capacity for g5.xlarge', { hint: 'Try again later', cause, details: { tried: [1] } });
    // Act
    const error = withAlternatives(original, [G6, G6E], 'us-east-1');
    // Assess
    expect(error).toBeInstanceOf(CapacityUnavailableError);
    expect(error.name).toBe('CapacityUnavailableError');
    expect(error.message).toBe(
      'No capacity for g5.xlarge. Other NVIDIA types offered in us-east-1 that fit: try g6.xlarge ($0.80/h, 1 x L4 22 GiB) or g6e.xlarge ($1.86/h, 1 x L40S 45 GiB)',
    );
    expect(error.hint).toBe('Try again later');
    expect(error.cause).toBe(cause);
    expect(error.details).toEqual({ tried: [1], alternatives: [G6, G6E] });
  });

  test('no alternatives: the message unchanged, an empty list in details', () => {
    // Act
    const error = withAlternatives(new LaunchPlanEmptyError('No way'), []);
    // Assess
    expect(error).toBeInstanceOf(LaunchPlanEmptyError);
    expect(error.message).toBe('No way');
    expect(error.hint).toBeUndefined();
    expect(error.details).toEqual({ alternatives: [] });
  });

  test('without a region the message does not name one', () => {
    expect(withAlternatives(new LaunchPlanEmptyError('No way'), [P5]).message).toBe('No way. Other NVIDIA types offered that fit: try p5.4xlarge (price unknown, 1 x H100 80 GiB)');
  });
});
