import { parseArgs } from 'node:util';
import { ec2Client } from '../aws/ec2.js';
import { efsClient } from '../aws/efs.js';
import { enabledRegions } from '../deployments/list.js';
import { useLocalCloud } from '../local/cloud-state.js';
import { REGION, WORKSPACE_NAME } from '../request.js';
import { deleteWorkspace } from '../workspace/delete.js';
import { listWorkspaces, storageLine, type WorkspaceRow } from '../workspace/list.js';
import { usageError } from './args.js';
import { printJson, type Io } from './output.js';

const OPTIONS = { region: { type: 'string' }, 'all-regions': { type: 'boolean' }, local: { type: 'boolean' }, json: { type: 'boolean' } } as const;

/** The human table of `workspace list`. */
export function formatWorkspaces(rows: readonly WorkspaceRow[], regions: readonly string[]): string {
  if (rows.length === 0) return `No gpu-deploy workspaces in ${regions.join(', ')}\n`;
  const lines = rows.map((r) => {
    const users = r.deployments.length > 0 ? r.deployments.map((d) => `${d.deploymentId} (${d.state})`).join(', ') : 'none';
    return `${r.name}  ${r.region}  ${r.fileSystemId} (${r.state}, ${r.mountTargets} mount targets)\n  ${storageLine(r.storage)}\n  used by: ${users}`;
  });
  const monthly = rows.reduce((sum, r) => sum + r.storage.monthly, 0);
  return `${lines.join('\n')}\n\n${rows.length} workspace${rows.length === 1 ? '' : 's'}, $${monthly.toFixed(2)}/month of storage at today's sizes (kept until you delete them: gpu-deploy workspace delete NAME)\n`;
}

function regionOf(values: { region?: string | undefined; local?: boolean | undefined }): string {
  const cloud = values.local ? useLocalCloud() : undefined;
  const region = values.region ?? cloud?.region ?? process.env.AWS_REGION ?? 'us-east-1';
  if (!REGION.test(region)) throw usageError(`--region ${JSON.stringify(region)} is not an AWS region name such as eu-west-1`);
  return region;
}

/**
 * `gpu-deploy workspace list [--region R | --all-regions] [--local] [--json]` and
 * `gpu-deploy workspace delete NAME [--region R] [--local] [--json]`.
 */
export async function workspaceMain(args: string[], io: Io): Promise<number> {
  const [verb, ...rest] = args;
  const { values, positionals } = parseArgs({ args: rest, options: OPTIONS, allowPositionals: true, strict: true });
  if (verb === 'list') {
    if (positionals.length > 0) throw usageError(`gpu-deploy workspace list takes no arguments (got ${positionals.join(' ')})`);
    if (values.region && values['all-regions']) throw usageError('--region and --all-regions exclude each other');
    const home = regionOf(values);
    const regions = values['all-regions'] ? await enabledRegions(ec2Client(home)) : [home];
    const rows = (await Promise.all(regions.map((region) => listWorkspaces({ efs: efsClient(region), ec2: ec2Client(region) }, region)))).flat();
    if (values.json) printJson(io, { regions, workspaces: rows, generatedAt: new Date().toISOString() });
    else io.out(formatWorkspaces(rows, regions));
    return 0;
  }
  if (verb === 'delete') {
    if (values['all-regions']) throw usageError('workspace delete works on one region: --region R');
    const [name, ...extra] = positionals;
    if (name === undefined || extra.length > 0) throw usageError(`gpu-deploy workspace delete takes one workspace name (got ${positionals.length})`);
    if (!WORKSPACE_NAME.test(name)) throw usageError(`${JSON.stringify(name)} is not a workspace name (lowercase letters, digits and -, 1 to 63)`);
    const region = regionOf(values);
    const deleted = await deleteWorkspace({ efs: efsClient(region), ec2: ec2Client(region) }, region, name, { log: (line) => io.err(`${line}\n`) });
    io.err(`Workspace ${name} deleted in ${region}: file system ${deleted.fileSystemId ?? 'already gone'}, ${deleted.deletedMountTargets.length} mount targets, ${deleted.deletedGroups.length} security groups\n`);
    if (values.json) printJson(io, { status: 'DELETED', ...deleted });
    return 0;
  }
  throw usageError(`gpu-deploy workspace takes list or delete (got ${verb === undefined ? 'nothing' : JSON.stringify(verb)})`);
}
