import { GetServiceQuotaCommand, ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { mockClient } from 'aws-sdk-client-mock';
import { serviceQuotasClient } from '../../../lib/aws/service-quotas.js';
import { clearQuotaCache, getVcpuQuotas, howToRaise, quotaBucket, quotaDefinition, shortReason, VCPU_QUOTAS } from '../../../lib/capacity/quotas.js';
import { AwsTransientError } from '../../../lib/errors.js';
import { sdkError } from './helpers.js';

const quotasMock = mockClient(ServiceQuotasClient);
const client = new ServiceQuotasClient({ region: 'us-east-1' });

beforeEach(() => {
  quotasMock.reset();
  clearQuotaCache();
});

describe('quotaBucket', () => {
  test.each([
    ['g5.xlarge', 'G'],
    ['g4dn.12xlarge', 'G'],
    ['g6e.48xlarge', 'G'],
    ['gr6.4xlarge', 'G'],
    ['vt1.3xlarge', 'G'],
    ['p4d.24xlarge', 'P'],
    ['p6-b200.48xlarge', 'P'],
    ['P5.48XLARGE', 'P'],
    ['m5.large', undefined],
    ['inf2.xlarge', undefined],
  ])('%s → %s', (type, bucket) => {
    expect(quotaBucket(type)).toBe(bucket);
  });
});

describe('VCPU_QUOTAS', () => {
  test('the four EC2 vCPU quotas GPU launches count against', () => {
    expect(VCPU_QUOTAS.map((q) => `${q.bucket}/${q.market}=${q.code}`)).toEqual(['G/on-demand=L-DB2E81BA', 'P/on-demand=L-417A185B', 'G/spot=L-3819A6DF', 'P/spot=L-7212CCBC']);
    expect(quotaDefinition('P', 'spot').name).toBe('All P Spot Instance Requests');
  });
});

describe('getVcpuQuotas', () => {
  test('reads the asked buckets and markets, in parallel, and caches what it read', async () => {
    // Prepare
    quotasMock.on(GetServiceQuotaCommand, { QuotaCode: 'L-DB2E81BA' }).resolves({ Quota: { Value: 64 } });
    quotasMock.on(GetServiceQuotaCommand, { QuotaCode: 'L-3819A6DF' }).resolves({ Quota: { Value: 8 } });
    // Act
    const first = await getVcpuQuotas(client, 'us-east-1', { buckets: ['G'] });
    const again = await getVcpuQuotas(client, 'us-east-1', { buckets: ['G'] });
    // Assess
    expect(first).toEqual([
      { bucket: 'G', market: 'on-demand', code: 'L-DB2E81BA', name: 'Running On-Demand G and VT instances', vcpus: 64 },
      { bucket: 'G', market: 'spot', code: 'L-3819A6DF', name: 'All G and VT Spot Instance Requests', vcpus: 8 },
    ]);
    expect(again).toEqual(first);
    expect(quotasMock.commandCalls(GetServiceQuotaCommand).map((c) => c.args[0].input)).toEqual([
      { ServiceCode: 'ec2', QuotaCode: 'L-DB2E81BA' },
      { ServiceCode: 'ec2', QuotaCode: 'L-3819A6DF' },
    ]);
  });

  test('all four by default; a failure is an unknown quota with its reason, never an error, and is not cached', async () => {
    // Prepare
    quotasMock.on(GetServiceQuotaCommand).rejects(sdkError('AccessDeniedException', 400, 'not authorized'));
    quotasMock.on(GetServiceQuotaCommand, { QuotaCode: 'L-417A185B' }).resolves({ Quota: {} });
    // Act
    const quotas = await getVcpuQuotas(client, 'eu-west-1');
    await getVcpuQuotas(client, 'eu-west-1', { markets: ['spot'] });
    // Assess
    expect(quotas.map((q) => [q.code, q.vcpus, q.unknownReason])).toEqual([
      ['L-DB2E81BA', undefined, 'AccessDeniedException: not authorized'],
      ['L-417A185B', undefined, 'Service Quotas returned no value'],
      ['L-3819A6DF', undefined, 'AccessDeniedException: not authorized'],
      ['L-7212CCBC', undefined, 'AccessDeniedException: not authorized'],
    ]);
    expect(quotasMock.commandCalls(GetServiceQuotaCommand)).toHaveLength(6);
  });
});

describe('howToRaise', () => {
  test('the console address and the CLI command, with the vCPUs needed', () => {
    expect(howToRaise(quotaDefinition('P', 'on-demand'), 192, 'us-west-2')).toBe(
      'request an increase of "Running On-Demand P instances" (L-417A185B) to at least 192 vCPUs in the Service Quotas console ' +
        '(https://console.aws.amazon.com/servicequotas/home/services/ec2/quotas/L-417A185B?region=us-west-2) or with ' +
        '`aws service-quotas request-service-quota-increase --service-code ec2 --quota-code L-417A185B --desired-value 192 --region us-west-2`',
    );
  });
});

describe('shortReason', () => {
  test('code and the first line of the message', () => {
    expect(shortReason(sdkError('NoSuchResourceException', 400, 'not here\nsecond line'))).toBe('NoSuchResourceException: not here');
  });

  test('a code without a message, or equal to it', () => {
    expect(shortReason(sdkError('Throttling', 400, 'Throttling'))).toBe('Throttling');
  });

  test('no AWS code: the HTTP status', () => {
    expect(shortReason(Object.assign(new Error('XML parse error'), { $metadata: { httpStatusCode: 500 } }))).toBe('HTTP 500 with no AWS error code');
  });

  test('a project error is described by the SDK error it wraps', () => {
    const wrapped = new AwsTransientError('x failed', { cause: sdkError('InternalError', 500, 'boom') });
    expect(shortReason(wrapped)).toBe('InternalError: boom');
  });

  test('plain values and long messages', () => {
    expect(shortReason('just text')).toBe('just text');
    expect(shortReason(new TypeError(''))).toBe('TypeError');
    expect(shortReason(sdkError('X', 400, 'y'.repeat(300)))).toHaveLength(160);
  });
});

describe('serviceQuotasClient', () => {
  test('one client per region, reused', () => {
    expect(serviceQuotasClient('us-east-1')).toBe(serviceQuotasClient('us-east-1'));
    expect(serviceQuotasClient('us-east-1')).not.toBe(serviceQuotasClient('eu-west-1'));
  });
});
