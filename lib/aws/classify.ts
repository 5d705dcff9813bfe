import {
  AwsAccessDeniedError,
  AwsCredentialsMissingError,
  AwsEndpointNotFoundError,
  AwsRequestError,
  AwsThrottlingError,
  AwsTransientError,
  GpuDeployError,
} from '../errors.js';

/** Error codes AWS uses for "slow down"; retried with backoff, never treated as capacity. */
const THROTTLING_CODES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'SlowDown',
  'PriorRequestNotComplete',
  'EC2ThrottledException',
]);

const TRANSIENT_CODES = new Set([
  'InternalError',
  'InternalErrorException',
  'InternalFailure',
  'InternalServerError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'Unavailable',
  'RequestTimeout',
  'RequestTimeoutException',
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  // A DNS server that did not answer (EAI_AGAIN) may answer later; a name that does not exist (ENOTFOUND) will not.
  'EAI_AGAIN',
  'TimeoutError',
]);

export const ACCESS_DENIED_CODES = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnrecognizedClientException',
  'AuthFailure',
  'InvalidClientTokenId',
  'ExpiredToken',
  'ExpiredTokenException',
]);

/** Instance capacity that a different zone, market or type may have (Karpenter's unfulfillable set). */
export const CAPACITY_ERROR_CODES = new Set([
  'InsufficientInstanceCapacity',
  'InsufficientCapacity',
  'InsufficientHostCapacity',
  'InsufficientReservedInstanceCapacity',
  'Unsupported',
  'SpotMaxPriceTooLow',
  'MaxSpotInstanceCountExceeded',
  'VcpuLimitExceeded',
  'InstanceLimitExceeded',
  'UnfulfillableCapacity',
]);

/**
 * The AWS error code of an SDK v3 exception (`name`, or `Code` on some query-protocol errors), or a Node network
 * error code (`ECONNREFUSED`, …) when the endpoint could not be reached at all.
 */
export function awsErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const record = error as { name?: unknown; Code?: unknown; code?: unknown };
  for (const candidate of [record.Code, record.code, record.name]) {
    if (typeof candidate === 'string' && candidate !== 'Error') return candidate;
  }
  return undefined;
}

function httpStatus(error: unknown): number | undefined {
  const meta = (error as { $metadata?: { httpStatusCode?: unknown } } | null)?.$metadata;
  return typeof meta?.httpStatusCode === 'number' ? meta.httpStatusCode : undefined;
}

/**
 * Turns anything an AWS SDK call threw into a project error, by error code (never by message text).
 * Project errors pass through unchanged.
 *
 * @example
 * try { await ec2.send(cmd) } catch (e) { throw toProjectError(e, 'RunInstances') }
 */
export function toProjectError(error: unknown, operation: string): GpuDeployError {
  if (error instanceof GpuDeployError) return error;
  const code = awsErrorCode(error) ?? 'Unknown';
  const message = error instanceof Error ? error.message : String(error);
  const details = { code, operation };
  const text = `${operation} failed: ${code}: ${message}`;
  const status = httpStatus(error);
  if (code === 'ENOTFOUND') {
    const host = (error as { hostname?: unknown }).hostname;
    return new AwsEndpointNotFoundError(`${operation} failed: the endpoint ${typeof host === 'string' ? host : ''} does not exist (ENOTFOUND)`.replace('  ', ' '), {
      cause: error,
      details,
      hint: 'Check the region (--region, AWS_REGION) and AWS_ENDPOINT_URL: no DNS name exists for this endpoint',
    });
  }
  if (code === 'CredentialsProviderError') {
    return new AwsCredentialsMissingError(`${operation} was not sent: the AWS SDK found no credentials (${message})`, {
      cause: error,
      details,
      hint: 'Configure AWS credentials (aws configure, AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY); for the local cloud, pass --local',
    });
  }
  if (THROTTLING_CODES.has(code) || status === 429) return new AwsThrottlingError(text, { cause: error, details, hint: 'AWS throttled the call; it is retried with backoff' });
  if (ACCESS_DENIED_CODES.has(code) || status === 403) {
    return new AwsAccessDeniedError(text, { cause: error, details, hint: `Grant the caller permission for ${operation}` });
  }
  if (TRANSIENT_CODES.has(code) || (status !== undefined && status >= 500)) {
    return new AwsTransientError(text, { cause: error, details, hint: 'A transient AWS fault; it is retried' });
  }
  return new AwsRequestError(text, { cause: error, details });
}

/** Runs one SDK call and converts its failure at the boundary. */
export async function callAws<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toProjectError(error, operation);
  }
}
