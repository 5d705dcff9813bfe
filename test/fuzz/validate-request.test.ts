/**
 * Bad input through the ValidateRequest Lambda (functions/validate-request.ts, with its middleware), EC2 mocked:
 * every bad request ends in RequestInvalidError naming the field, before any AWS call; requests of any shape end in
 * a document or a named error, never a crash; nothing ever launches.
 */
import { DescribeInstanceTypeOfferingsCommand, DescribeInstanceTypesCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { handler } from '../../functions/validate-request.js';
import { resetClients } from '../../lib/aws/clients.js';
import { ERROR_NAMES } from '../../lib/errors.js';
import { badRequest, RUNS, validRequest, visibleMutations } from './arbitraries.js';

const ec2 = mockClient(EC2Client);
const execution = { id: 'arn:aws:states:us-east-1:123456789012:execution:gpu-deploy-deploy:fuzz', name: 'fuzz', startTime: '2026-01-01T00:00:00Z' };
const context = { functionName: 'validateRequest', getRemainingTimeInMillis: () => 60_000 } as never;

const G5 = {
  InstanceType: 'g5.xlarge',
  CurrentGeneration: true,
  ProcessorInfo: { SupportedArchitectures: ['x86_64'] },
  VCpuInfo: { DefaultVCpus: 4 },
  MemoryInfo: { SizeInMiB: 16384 },
  GpuInfo: { Gpus: [{ Name: 'A10G', Manufacturer: 'NVIDIA', Count: 1, MemoryInfo: { SizeInMiB: 22888 } }], TotalGpuMemoryInMiB: 22888 },
};

beforeAll(() => {
  process.env.AWS_REGION = 'us-east-1';
  resetClients();
});

beforeEach(() => {
  ec2.reset();
  ec2.on(DescribeInstanceTypesCommand).callsFake((input: { InstanceTypes?: string[] }) => ({ InstanceTypes: input.InstanceTypes?.[0] === 'g5.xlarge' ? [G5] : [] }));
  ec2.on(DescribeInstanceTypeOfferingsCommand).resolves({
    InstanceTypeOfferings: ['a', 'b', 'c'].map((z) => ({ InstanceType: 'g5.xlarge', LocationType: 'availability-zone', Location: `us-east-1${z}` })),
  });
});

async function validate(request: unknown): Promise<{ ok: true; doc: unknown } | { ok: false; error: Error }> {
  try {
    return { ok: true, doc: await handler({ request, execution } as never, context) };
  } catch (error) {
    return { ok: false, error: error as Error };
  }
}

describe('ValidateRequest handler: bad input corpus', () => {
  test('every request with a bad field ends in RequestInvalidError naming it, before any AWS call', async () => {
    await fc.assert(
      fc.asyncProperty(badRequest, async ({ request, mutations }) => {
        ec2.resetHistory();
        const visible = visibleMutations(request, mutations);
        fc.pre(visible.length > 0);
        const result = await validate(request);
        expect(result.ok).toBe(false);
        if (result.ok) return;
        expect(result.error.name).toBe('RequestInvalidError');
        for (const m of visible) expect(result.error.message).toContain(m.mentions);
        expect(ec2.calls()).toHaveLength(0);
      }),
      RUNS,
    );
  });

  test('requests of any shape end in a document or a named error; none launches', async () => {
    const anyRequest = fc.oneof(
      fc.anything(),
      fc.dictionary(fc.constantFrom('instanceType', 'region', 'osType', 'ollama', 'tags', 'timeouts', 'market', 'maxHourlyPrice'), fc.anything({ maxDepth: 2 }), { noNullPrototype: true }),
      validRequest,
    );
    await fc.assert(
      fc.asyncProperty(anyRequest, async (request) => {
        ec2.resetHistory();
        const result = await validate(request);
        if (!result.ok) {
          expect(ERROR_NAMES as string[]).toContain(result.error.name);
          expect(result.error.message.length).toBeGreaterThan(0);
        }
        expect(ec2.commandCalls(RunInstancesCommand)).toHaveLength(0);
      }),
      RUNS,
    );
  });

  test('valid requests pass with the defaults applied', async () => {
    await fc.assert(
      fc.asyncProperty(validRequest, async (request) => {
        const result = await validate(request);
        expect(result.ok).toBe(true);
        if (!result.ok) return;
        expect(result.doc).toMatchObject({ deploymentId: 'fuzz', request: { instanceType: 'g5.xlarge' }, zones: ['us-east-1a', 'us-east-1b', 'us-east-1c'] });
      }),
      { numRuns: 50 },
    );
  });
});
