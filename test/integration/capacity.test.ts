import { clearAlternativesCache } from '../../lib/capacity/alternatives.js';
import { clearQuotaCache } from '../../lib/capacity/quotas.js';
import { clearUnavailable } from '../../lib/capacity/unavailable.js';
import { ec2Client } from '../../lib/aws/ec2.js';
import { pricingClient } from '../../lib/aws/pricing.js';
import { serviceQuotasClient } from '../../lib/aws/service-quotas.js';
import { ssmClient } from '../../lib/aws/ssm.js';
import { CapacityUnavailableError } from '../../lib/errors.js';
import { LOCAL_INSTANCE_PROFILE, startLocalCloud, type LocalCloud } from '../../lib/local/cloud.js';
import { launchStep } from '../../lib/steps/launch.js';
import { planStep, type CapacityPlanResult } from '../../lib/steps/plan-capacity.js';
import { resolveAmiStep } from '../../lib/steps/resolve-ami.js';
import { validateStep } from '../../lib/steps/validate-request.js';
import type { PlannedDocument } from '../../lib/workflow/document.js';
import { deploy, deploymentInstances, deploymentSecurityGroups, enteredStates, liveDeploymentInstances } from './helpers.js';

// Capacity fallback over real HTTP: the real ASL and handlers against moto, with capacity errors injected into
// RunInstances by the local stand-in. The local cloud has no EC2 vCPU quotas and no spot placement scores (it answers
// both with LocalCloudUnsupportedOperation): the plan must say so and go on.
let cloud: LocalCloud;
const REGION = 'us-east-1';

beforeAll(async () => {
  cloud = await startLocalCloud({ region: REGION });
});

afterAll(async () => {
  await cloud?.stop();
});

beforeEach(() => {
  cloud.standIn.faults.length = 0;
  cloud.standIn.host = {};
  clearUnavailable();
  clearQuotaCache();
  clearAlternativesCache();
});

const CAPACITY_CODES = ['InsufficientInstanceCapacity', 'InsufficientCapacity', 'Unsupported', 'SpotMaxPriceTooLow', 'MaxSpotInstanceCountExceeded', 'VcpuLimitExceeded'];
const statusOf = (code: string): number => (code === 'InsufficientInstanceCapacity' ? 500 : 400);
const attemptsOf = (output: unknown): string[] =>
  ((output as { launchAttempts: { zone: string; market: string; outcome: string }[] }).launchAttempts ?? []).map((a) => `${a.zone}:${a.market}:${a.outcome}`);

/** The planned document, as PlanCapacity hands it to Launch, made by the real steps against the emulator. */
async function plannedDocument(request: Record<string, unknown>, name: string): Promise<PlannedDocument & { plan: CapacityPlanResult }> {
  const execution = { id: `arn:aws:states:${REGION}:000000000000:execution:gpu-deploy-deploy:${name}`, name, startTime: new Date().toISOString() };
  const validated = await validateStep({ request, execution }, ec2Client);
  const ami = await resolveAmiStep(validated, { ec2: ec2Client(REGION), ssm: ssmClient(REGION) });
  const plan = await planStep({ ...validated, ami }, { ec2: ec2Client(REGION), pricing: pricingClient(REGION), quotas: serviceQuotasClient(REGION) });
  return { ...validated, ami, plan };
}

describe('every capacity error code moves the launch to the next attempt', () => {
  test.each(CAPACITY_CODES)('%s in the first two zones: the third serves, with exactly one instance', async (code) => {
    // Prepare: spot is planned cheapest first (us-east-1b, us-east-1a, us-east-1f, …): the first two refuse
    cloud.standIn.faults.push({ operation: 'ec2.RunInstances', code, status: statusOf(code), zones: ['us-east-1a', 'us-east-1b'] });
    // Act
    const run = await deploy({ instanceType: 'g5.xlarge', region: REGION, market: 'auto' });
    // Assess
    expect({ status: run.status, error: run.error, cause: run.cause }).toEqual({ status: 'SUCCEEDED', error: undefined, cause: undefined });
    expect(attemptsOf(run.output)).toEqual([`us-east-1b:spot:${code}`, `us-east-1a:spot:${code}`, 'us-east-1f:spot:launched']);
    expect((run.output as { zone: string }).zone).toBe('us-east-1f');
    expect(await liveDeploymentInstances(cloud, run.deploymentId)).toHaveLength(1);
    expect(await deploymentInstances(cloud, run.deploymentId)).toHaveLength(1);
    // Each refusal is reported while Launch runs, as it happens (the CLI prints these notes under Launch).
    const launchEvents = run.events.filter((e) => e.state === 'Launch').map((e) => (e.kind === 'note' ? e.message : e.kind));
    expect(launchEvents).toEqual(['entered', `us-east-1b spot: refused (${code}), trying the next attempt`, `us-east-1a spot: refused (${code}), trying the next attempt`, 'exited']);
  });

  test.each(['SpotMaxPriceTooLow', 'MaxSpotInstanceCountExceeded'])('%s for every spot request: on-demand serves', async (code) => {
    // Prepare
    cloud.standIn.faults.push({ operation: 'ec2.RunInstances', code, status: 400, spot: true });
    // Act
    const run = await deploy({ instanceType: 'g5.xlarge', region: REGION, market: 'auto' });
    // Assess
    expect(run.status).toBe('SUCCEEDED');
    const attempts = attemptsOf(run.output);
    expect(attempts.slice(0, -1).every((a) => a.endsWith(`:spot:${code}`))).toBe(true);
    expect(attempts.at(-1)).toBe('us-east-1a:on-demand:launched');
    expect(await liveDeploymentInstances(cloud, run.deploymentId)).toHaveLength(1);
  });

  test('a zone that just failed is tried last by the next deployment', async () => {
    // Prepare: one deployment meets no capacity in us-east-1a
    cloud.standIn.faults.push({ operation: 'ec2.RunInstances', code: 'InsufficientInstanceCapacity', status: 500, zones: ['us-east-1a'] });
    const first = await deploy({ instanceType: 'g5.xlarge', region: REGION, market: 'on-demand' });
    cloud.standIn.faults.length = 0;
    // Act
    const second = await deploy({ instanceType: 'g5.xlarge', region: REGION, market: 'on-demand' });
    // Assess
    expect(attemptsOf(first.output)).toEqual(['us-east-1a:on-demand:InsufficientInstanceCapacity', 'us-east-1b:on-demand:launched']);
    expect(second.status).toBe('SUCCEEDED');
    expect(attemptsOf(second.output)).toEqual(['us-east-1b:on-demand:launched']);
  });
});

describe('when nothing can be launched', () => {
  test.each(CAPACITY_CODES)('%s everywhere: CapacityUnavailableError naming what was tried and alternatives, nothing left', async (code) => {
    // Prepare
    cloud.standIn.faults.push({ operation: 'ec2.RunInstances', code, status: statusOf(code) });
    // Act
    const run = await deploy({ instanceType: 'g5.xlarge', region: REGION });
    // Assess
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('CapacityUnavailableError');
    expect(run.cause).toContain('No capacity for g5.xlarge in any planned zone and market (10 attempts: us-east-1b spot (');
    expect(run.cause).toContain(`us-east-1f on-demand (${code})`);
    expect(run.cause).toContain('Other NVIDIA types offered in us-east-1 that fit: try g6.xlarge ($0.80/h, 1 x L4 22 GiB), g6.2xlarge ($0.98/h, 1 x L4 22 GiB) or g5.2xlarge ($1.21/h, 1 x A10G 22 GiB)');
    expect(enteredStates(run.events)).toContain('Rollback');
    expect(await deploymentInstances(cloud, run.deploymentId)).toEqual([]);
    expect(await deploymentSecurityGroups(cloud, run.deploymentId)).toEqual([]);
  });

  test('the Launch step\'s error carries the plan\'s alternatives in details', async () => {
    // Prepare
    const doc = await plannedDocument({ instanceType: 'g5.xlarge', region: REGION, market: 'on-demand' }, 'capacity-details');
    cloud.standIn.faults.push({ operation: 'ec2.RunInstances', code: 'InsufficientInstanceCapacity', status: 500 });
    // Act
    const failure = await launchStep(doc, ec2Client(REGION), { instanceProfileName: LOCAL_INSTANCE_PROFILE }).catch((error: unknown) => error);
    // Assess
    expect(failure).toBeInstanceOf(CapacityUnavailableError);
    const details = (failure as CapacityUnavailableError).details as { tried: unknown[]; alternatives: { instanceType: string }[] };
    expect(details.tried).toHaveLength(5);
    expect(details.alternatives.map((a) => a.instanceType)).toEqual(['g6.xlarge', 'g6.2xlarge', 'g5.2xlarge']);
    expect(details.alternatives).toEqual(doc.plan.alternatives);
    expect(await deploymentInstances(cloud, doc.deploymentId)).toEqual([]);
  });

  test('a price cap below every offer: rejected before launch, with alternatives in the cause', async () => {
    // Act
    const run = await deploy({ instanceType: 'g5.xlarge', region: REGION, maxHourlyPrice: 0.1 });
    // Assess
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('LaunchPlanEmptyError');
    expect(run.cause).toContain('nothing is offered at or below $0.1/h');
    expect(run.cause).toContain('Other NVIDIA types offered in us-east-1 that fit: try g6.xlarge');
    expect(enteredStates(run.events)).not.toContain('Launch');
    expect(await deploymentInstances(cloud, run.deploymentId)).toEqual([]);
  });
});

describe('a fractional-GPU type', () => {
  test('g6f.large (EC2: GPU count 0) is refused by ValidateRequest by name: no RunInstances, nothing launched', async () => {
    // Prepare
    const before = cloud.standIn.calls.length;
    // Act
    const run = await deploy({ instanceType: 'g6f.large', region: REGION });
    // Assess
    expect({ status: run.status, error: run.error }).toEqual({ status: 'FAILED', error: 'DriverUnsupportedError' });
    expect(run.cause).toContain("g6f.large has a fraction of an NVIDIA L4 (a fractional GPU), which needs NVIDIA's GRID (vGPU) driver");
    expect(enteredStates(run.events)).toEqual(['ValidateRequest', 'NotifyRejected', 'RequestRejected']);
    expect(cloud.standIn.calls.slice(before)).not.toContain('ec2.RunInstances');
    expect(await deploymentInstances(cloud, run.deploymentId)).toEqual([]);
  });
});

describe('the plan against the emulator', () => {
  test("says that vCPU quotas and spot placement scores are unknown because the local cloud has none, keeps every attempt, and lists alternatives", async () => {
    // Act
    const doc = await plannedDocument({ instanceType: 'g5.xlarge', region: REGION }, 'capacity-plan');
    // Assess
    const { plan } = doc;
    expect(plan.attempts).toHaveLength(10);
    expect(plan.notes).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^spot placement scores unknown \(GetSpotPlacementScores: LocalCloudUnsupportedOperation: the local cloud has no spot placement scores .*\); spot is ordered by price only$/),
        expect.stringMatching(
          /^quota unknown: "Running On-Demand G and VT instances" \(L-DB2E81BA\), "All G and VT Spot Instance Requests" \(L-3819A6DF\) could not be read \(LocalCloudUnsupportedOperation: the local cloud has no Service Quotas .*\); on-demand and spot attempts are kept$/,
        ),
      ]),
    );
    expect(plan.quotas.map((q) => [q.code, q.vcpus])).toEqual([
      ['L-DB2E81BA', undefined],
      ['L-3819A6DF', undefined],
    ]);
    expect(plan).not.toHaveProperty('placementScores');
    expect(plan.alternatives).toEqual([
      { instanceType: 'g6.xlarge', gpu: { model: 'L4', count: 1, memoryGiB: 22 }, vcpus: 4, onDemandHourly: 0.8048, priceSource: 'pricing-api', quota: 'unknown' },
      { instanceType: 'g6.2xlarge', gpu: { model: 'L4', count: 1, memoryGiB: 22 }, vcpus: 8, onDemandHourly: 0.9776, priceSource: 'pricing-api', quota: 'unknown' },
      { instanceType: 'g5.2xlarge', gpu: { model: 'A10G', count: 1, memoryGiB: 22 }, vcpus: 8, onDemandHourly: 1.212, priceSource: 'pricing-api', quota: 'unknown' },
    ]);
    const calls = cloud.standIn.calls;
    expect(calls).toEqual(expect.arrayContaining(['ec2.GetSpotPlacementScores', 'ec2.DescribeInstanceTypeOfferings', 'pricing.GetProducts']));
  });

  test('arm64: alternatives are arm64 types only', async () => {
    // Act
    const doc = await plannedDocument({ instanceType: 'g5g.xlarge', region: REGION, architecture: 'arm64' }, 'capacity-arm');
    // Assess
    expect(doc.plan.alternatives.length).toBeGreaterThan(0);
    expect(doc.plan.alternatives.every((a) => a.instanceType.startsWith('g5g.'))).toBe(true);
  });
});
