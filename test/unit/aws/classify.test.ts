import {
  AwsAccessDeniedError,
  AwsRequestError,
  AwsThrottlingError,
  AwsTransientError,
  GpuDeployError,
} from '../../../lib/errors.js';
import { awsErrorCode, toProjectError as toAwsError } from '../../../lib/aws/classify.js';
import { PriceNotFoundError } from '../../../lib/pricing/errors.js';

const sdkError = (name: string, httpStatusCode?: number): Error =>
  Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode } });

describe('toAwsError', () => {
  test.each([
    [sdkError('ThrottlingException', 400), AwsThrottlingError],
    [sdkError('SomethingNew', 429), AwsThrottlingError],
    [sdkError('AccessDeniedException', 400), AwsAccessDeniedError],
    [sdkError('SomethingNew', 403), AwsAccessDeniedError],
    [sdkError('InternalErrorException', 500), AwsTransientError],
    [sdkError('SomethingNew', 503), AwsTransientError],
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4566'), { code: 'ECONNREFUSED' }), AwsTransientError],
    [sdkError('InvalidParameterException', 400), AwsRequestError],
  ])('classifies %s by code', (error, expected) => {
    // Act
    const result = toAwsError(error, 'pricing:GetProducts');
    // Assess
    expect(result).toBeInstanceOf(expected);
    expect(result.cause).toBe(error);
    expect(result.details?.operation).toBe('pricing:GetProducts');
  });

  test('passes project errors through and copes with non-errors', () => {
    const own = new PriceNotFoundError('none');
    expect(toAwsError(own, 'x')).toBe(own);
    const odd = toAwsError('boom', 'x');
    expect(odd).toBeInstanceOf(AwsRequestError);
    expect(odd.details).toEqual({ code: 'Unknown', operation: 'x' });
    expect(awsErrorCode(null)).toBeUndefined();
    expect(awsErrorCode({})).toBeUndefined();
  });
});

describe('PriceNotFoundError', () => {
  test('is a named GpuDeployError with a hint', () => {
    const error = new PriceNotFoundError('No price', { hint: 'Choose another region.' });
    expect(error).toBeInstanceOf(GpuDeployError);
    expect(error.toJSON()).toEqual({ error: 'PriceNotFoundError', message: 'No price', hint: 'Choose another region.' });
  });
});
