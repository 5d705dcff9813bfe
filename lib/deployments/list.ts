import { DescribeInstancesCommand, DescribeRegionsCommand, type EC2Client, type Instance } from '@aws-sdk/client-ec2';
import { callAws } from '../aws/classify.js';
import { MANAGED_BY_TAG } from '../launch/tags.js';
import { deploymentRow, totals, type DeploymentRow, type DeploymentTotals } from './rows.js';

/** Every instance gpu-deploy manages in the region (its managed-by tag), terminated ones left out. */
export async function managedInstances(ec2: EC2Client): Promise<Instance[]> {
  const instances: Instance[] = [];
  let nextToken: string | undefined;
  do {
    const out = await callAws('DescribeInstances', () =>
      ec2.send(
        new DescribeInstancesCommand({
          Filters: [
            { Name: `tag:${MANAGED_BY_TAG}`, Values: ['gpu-deploy'] },
            { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped', 'shutting-down'] },
          ],
          ...(nextToken ? { NextToken: nextToken } : {}),
        }),
      ),
    );
    instances.push(...(out.Reservations ?? []).flatMap((r) => r.Instances ?? []));
    nextToken = out.NextToken || undefined;
  } while (nextToken);
  return instances;
}

/** The regions enabled for the account (opted-in or not needing opt-in). */
export async function enabledRegions(ec2: EC2Client): Promise<string[]> {
  const out = await callAws('DescribeRegions', () => ec2.send(new DescribeRegionsCommand({})));
  return (out.Regions ?? []).map((r) => r.RegionName ?? '').filter(Boolean).sort();
}

export interface DeploymentList {
  regions: string[];
  deployments: DeploymentRow[];
  totals: DeploymentTotals;
  generatedAt: string;
}

/**
 * The managed instances of the given regions, newest first, with their totals.
 *
 * @example
 * const list = await listDeployments(['us-east-1'], (r) => ec2Client(r));
 */
export async function listDeployments(
  regions: readonly string[],
  ec2For: (region: string) => EC2Client,
  now: Date = new Date(),
  options: { local?: boolean } = {},
): Promise<DeploymentList> {
  const perRegion = await Promise.all(regions.map(async (region) => (await managedInstances(ec2For(region))).map((i) => deploymentRow(i, region, now, options))));
  const deployments = perRegion.flat().sort((a, b) => (b.launchedAt ?? '').localeCompare(a.launchedAt ?? ''));
  return { regions: [...regions], deployments, totals: totals(deployments), generatedAt: now.toISOString() };
}
