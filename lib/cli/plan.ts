import { getLatestDlami } from '../ami/resolve.js';
import { amiWarnings } from '../ami/warnings.js';
import { ec2Client } from '../aws/ec2.js';
import { regionNvidiaCatalog } from '../capacity/alternatives.js';
import { needsProprietaryDriver } from '../catalog/driver.js';
import { resolveOnDemandPrice } from '../pricing/on-demand.js';
import { pricingClient } from '../aws/pricing.js';
import { serviceQuotasClient } from '../aws/service-quotas.js';
import { ssmClient } from '../aws/ssm.js';
import type { VcpuQuota } from '../capacity/quotas.js';
import type { Alternative } from '../capacity/suggest.js';
import { parseRequest } from '../request.js';
import { planStep } from '../steps/plan-capacity.js';
import { resolveAmiStep } from '../steps/resolve-ami.js';
import { validateStep } from '../steps/validate-request.js';
import { budgetLine, budgetWarnings, setupBudget } from '../userdata/budget.js';
import { efsClient } from '../aws/efs.js';
import { storageLine, workspacePlan, type WorkspacePlan } from '../workspace/list.js';
import { localCloudGaps } from '../local/gaps.js';
import { withCloud } from './cloud-scope.js';
import { printJson, type Io } from './output.js';
import { assertRegionExists } from '../aws/regions.js';
import { parseCommandArgs } from './args.js';
import { commandSpec } from './commands.js';
import { requestFromFlags } from './request-options.js';

const money = (value: number | undefined, digits = 4): string => (value === undefined ? '?' : `$${value.toFixed(digits)}`);

const quotaLine = (q: VcpuQuota, vcpus: number): string =>
  `  ${q.market.padEnd(10)} ${q.code}  ${q.name.padEnd(37)} ${
    q.vcpus === undefined ? `unknown (${q.unknownReason ?? 'not read'})` : `${q.vcpus} vCPUs${vcpus > q.vcpus ? `: too small for ${vcpus}` : ''}`
  }\n`;

const alternativeLine = (a: Alternative): string =>
  `  ${a.instanceType.padEnd(14)} ${`${a.gpu.count} x ${a.gpu.model} ${a.gpu.memoryGiB} GiB`.padEnd(28)} ${String(a.vcpus).padStart(3)} vCPU  ${money(a.onDemandHourly)}/h on-demand${a.priceSource ? ` (${a.priceSource})` : ''}${a.quota === 'unknown' ? ', quota unknown' : ''}\n`;

/** `gpu-deploy plan`: validation, AMI, the ordered launch attempts, quotas, alternatives and the estimate. Launches nothing. */
export async function planCommand(raw: Record<string, unknown>, options: { local: boolean; json: boolean }, io: Io): Promise<number> {
  const { region } = parseRequest(raw);
  await assertRegionExists(region, { emulated: options.local });
  const started = Date.now();
  const result = await withCloud(options.local, region, (l) => io.err(`${l}\n`), async () => {
    const execution = { id: 'plan', name: `plan-${started}`, startTime: new Date(started).toISOString() };
    // Independent lookups overlap with validation, each filling the cache its step reads: the AMI (OSS-driver
    // family; a legacy GPU resolves its own afterwards), the on-demand price and the region's GPU catalog.
    const request = parseRequest(raw);
    const amiClients = { ec2: ec2Client(region), ssm: ssmClient(region) };
    const prefetch = Promise.allSettled([
      getLatestDlami(amiClients, {
        region,
        osType: request.osType,
        architecture: request.architecture,
        amiType: request.amiType,
        ...(request.amiFallback === undefined ? {} : { fallback: request.amiFallback }),
      }),
      resolveOnDemandPrice(pricingClient(region), { instanceType: request.instanceType, region }),
      regionNvidiaCatalog(ec2Client(region), region),
    ]);
    const [validated, [prefetchedAmi]] = await Promise.all([validateStep({ request: raw, execution }, ec2Client), prefetch]);
    // The prefetched AMI is the answer (with its true source) unless the GPU needs the proprietary-driver family.
    const ami =
      prefetchedAmi.status === 'fulfilled' && !needsProprietaryDriver(validated.instanceType.gpu.model)
        ? prefetchedAmi.value
        : await resolveAmiStep(validated, amiClients);
    const plan = await planStep({ ...validated, ami }, { ec2: ec2Client(region), pricing: pricingClient(region), quotas: serviceQuotasClient(region) });
    // The workspace's storage per month, at its size today (a new one starts empty); read-only.
    const workspace: WorkspacePlan | undefined = request.workspace ? await workspacePlan(efsClient(region), region, request.workspace.name) : undefined;
    return { validated, ami, plan, workspace };
  });
  const { validated, ami, plan, workspace } = result;
  // The set-up budget and warnings depend on the image: a plain OS image builds the driver on the instance.
  const setup = setupBudget(validated.request, ami.needsDriver);
  const warnings = [...amiWarnings(validated.request, ami), ...budgetWarnings(setup)];
  const document = {
    request: validated.request,
    instanceType: validated.instanceType,
    zones: validated.zones,
    ami,
    attempts: plan.attempts,
    estimates: plan.estimates,
    quotas: plan.quotas,
    ...(plan.placementScores ? { placementScores: plan.placementScores } : {}),
    alternatives: plan.alternatives,
    notes: plan.notes,
    ...(workspace ? { workspace } : {}),
    ...(options.local ? { answeredBy: `the local cloud (moto and local stand-ins): ${localCloudGaps()}` } : {}),
    setup,
    warnings,
    durationMs: Date.now() - started,
  };
  if (options.json) {
    printJson(io, document);
    return 0;
  }
  const gpu = validated.instanceType.gpu;
  const vcpus = validated.instanceType.vcpus;
  io.out(`${validated.request.instanceType} in ${region}: ${gpu.count} x ${gpu.manufacturer} ${gpu.model}, ${Math.round(gpu.memoryMiB / 1024)} GiB GPU memory, ${vcpus} vCPUs; zones ${validated.zones.join(', ')}\n`);
  io.out(`AMI ${ami.imageId}  ${ami.name} (${ami.source})\n${budgetLine(setup)}\n\nLaunch attempts, in order:\n`);
  plan.attempts.forEach((a, i) => io.out(`  ${String(i + 1).padStart(2)}. ${a.zone.padEnd(14)} ${a.market.padEnd(10)} ${money(a.expectedHourly)}/h  ${a.reason}\n`));
  if (plan.quotas.length > 0) {
    io.out(`\nvCPU quotas (one ${validated.request.instanceType} needs ${vcpus}):\n`);
    for (const q of plan.quotas) io.out(quotaLine(q, vcpus));
  }
  if (plan.placementScores) {
    io.out(`\nSpot placement scores (1-10): ${Object.entries(plan.placementScores).map(([zone, score]) => `${zone} ${score}`).join(', ')}\n`);
  }
  for (const [market, estimate] of Object.entries(plan.estimates)) {
    if (!estimate) continue;
    const label = market === 'onDemand' ? 'on-demand' : market;
    const savings = estimate.savings ? `, saves ${estimate.savings.percent}% ($${estimate.savings.monthly.toFixed(2)}/month)` : '';
    io.out(`\nEstimate (${label}): ${money(estimate.total.hourly)}/h, $${estimate.total.daily.toFixed(2)}/day, $${estimate.total.monthly.toFixed(2)}/month incl. ${estimate.volume.gib} GiB gp3${savings}\n`);
  }
  if (workspace) {
    const what = workspace.exists ? `exists (${workspace.fileSystemId}), ${storageLine(workspace.storage)}` : `new: created at launch, empty; ${storageLine(workspace.storage)}`;
    io.out(`\nWorkspace ${workspace.name} at /workspace: ${what}; billed apart from the instance, until you delete it\n`);
  }
  if (plan.alternatives.length > 0) {
    io.out(`\nIf ${validated.request.instanceType} cannot be launched, alternatives (${validated.request.architecture}, at least ${Math.round(gpu.memoryMiB / 1024)} GiB GPU memory, offered in ${region}):\n`);
    for (const a of plan.alternatives) io.out(alternativeLine(a));
  }
  if (plan.notes.length + warnings.length > 0) io.out('\n');
  for (const warning of warnings) io.out(`warning: ${warning}\n`);
  for (const note of plan.notes) io.out(`note: ${note}\n`);
  if (options.local) io.out(`note: answered by the local cloud (moto and local stand-ins), not your AWS account: ${localCloudGaps()}\n`);
  return 0;
}

/** `gpu-deploy plan [request options] [--local] [--json]`: the arguments, then planCommand. */
export async function planMain(args: string[], io: Io): Promise<number> {
  const { values } = parseCommandArgs(commandSpec('plan'), args);
  return planCommand(requestFromFlags(values), { local: values.local === true, json: values.json === true }, io);
}
