import { ec2Client } from '../aws/ec2.js';
import { enabledRegions, listDeployments, type DeploymentList } from '../deployments/list.js';
import type { DeploymentRow } from '../deployments/rows.js';
import { totalsLine } from '../deployments/rows.js';
import { parseCommandArgs } from './args.js';
import { commandSpec } from './commands.js';
import { resolveTarget } from './day2-options.js';
import { printJson, type Io } from './output.js';

const usd = (value: number | null, digits = 2): string => (value === null ? 'unknown' : `$${value.toFixed(digits)}`);

function uptimeText(hours: number): string {
  const minutes = Math.round(hours * 60);
  return minutes < 60 ? `${minutes}m` : `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/** The human table: one line per instance, then its lifetime and the way in, then the totals. */
export function formatList(list: DeploymentList): string {
  if (list.deployments.length === 0) return `No gpu-deploy instances in ${list.regions.join(', ')}\n`;
  const header = ['DEPLOYMENT', 'STATE', 'TYPE', 'ZONE', 'MARKET', 'LAUNCHED', 'UPTIME', 'PRICE/H', 'SO FAR', 'VERIFICATION'];
  const cells = (r: DeploymentRow): string[] => [
    r.deploymentId,
    r.state,
    r.instanceType,
    r.zone,
    r.market,
    r.launchedAt ? r.launchedAt.replace(/\.\d{3}Z$/, 'Z') : '-',
    uptimeText(r.uptimeHours),
    usd(r.hourlyPrice, 4),
    usd(r.costSoFar),
    r.verification,
  ];
  const rows = [header, ...list.deployments.map(cells)];
  const widths = header.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]): string => row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  const details = list.deployments.map((r) => `  ${r.deploymentId}: ${r.lifetime}${r.workspace ? `; workspace ${r.workspace} at /workspace` : ''}\n    ${r.access.connect}\n    ${r.access.tunnel}`);
  return `${rows.map(line).join('\n')}\n\n${details.join('\n')}\n\n${totalsLine(list.totals)}\n`;
}

/**
 * `gpu-deploy list [--region R | --all-regions] [--local | --aws] [--json]`: every instance gpu-deploy manages, newest
 * first, with uptime, the price chosen at launch, the cost so far, the lifetime and the way in.
 */
export async function listMain(args: string[], io: Io): Promise<number> {
  const { values } = parseCommandArgs(commandSpec('list'), args);
  const { via, region: home } = await resolveTarget(values);
  const regions = values['all-regions'] ? await enabledRegions(ec2Client(home)) : [home];
  if (regions.length > 1) io.err(`Listing ${regions.length} regions...\n`);
  const list = await listDeployments(regions, (region) => ec2Client(region), new Date(), { local: via === 'local' });
  if (values.json) printJson(io, list);
  else io.out(formatList(list));
  return 0;
}
