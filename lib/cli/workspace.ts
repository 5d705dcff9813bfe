import { ec2Client } from '../aws/ec2.js';
import { efsClient } from '../aws/efs.js';
import { enabledRegions } from '../deployments/list.js';
import { WORKSPACE_NAME } from '../request.js';
import { deleteWorkspace } from '../workspace/delete.js';
import { listWorkspaces, storageLine, type WorkspaceRow } from '../workspace/list.js';
import { didYouMean, parseCommandArgs, usageError } from './args.js';
import { commandSpec } from './commands.js';
import { resolveTarget } from './day2-options.js';
import { printJson, type Io } from './output.js';

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

/**
 * `gpu-deploy workspace list [--region R | --all-regions] [--local | --aws] [--json]` and
 * `gpu-deploy workspace delete NAME [--region R] [--local | --aws] [--json]`.
 */
export async function workspaceMain(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs(commandSpec('workspace'), args);
  const [verb, ...names] = positionals;
  if (verb === 'list') {
    if (names.length > 0) throw usageError(`gpu-deploy workspace list takes no arguments (got ${names.join(' ')})`);
    const { region: home } = await resolveTarget(values);
    const regions = values['all-regions'] ? await enabledRegions(ec2Client(home)) : [home];
    const rows = (await Promise.all(regions.map((region) => listWorkspaces({ efs: efsClient(region), ec2: ec2Client(region) }, region)))).flat();
    if (values.json) printJson(io, { regions, workspaces: rows, generatedAt: new Date().toISOString() });
    else io.out(formatWorkspaces(rows, regions));
    return 0;
  }
  if (verb === 'delete') {
    if (values['all-regions']) throw usageError('workspace delete works on one region: --region R');
    const [name, ...extra] = names;
    if (name === undefined || extra.length > 0) throw usageError(`gpu-deploy workspace delete takes one workspace name (got ${names.length})`);
    if (!WORKSPACE_NAME.test(name)) throw usageError(`${JSON.stringify(name)} is not a workspace name (lowercase letters, digits and -, 1 to 63)`);
    const { region } = await resolveTarget(values);
    const deleted = await deleteWorkspace({ efs: efsClient(region), ec2: ec2Client(region) }, region, name, { log: (line) => io.err(`${line}\n`) });
    io.err(`Workspace ${name} deleted in ${region}: file system ${deleted.fileSystemId ?? 'already gone'}, ${deleted.deletedMountTargets.length} mount targets, ${deleted.deletedGroups.length} security groups\n`);
    if (values.json) printJson(io, { status: 'DELETED', ...deleted });
    return 0;
  }
  const suggestion = verb === undefined ? '' : didYouMean(verb, ['list', 'delete']);
  throw usageError(`gpu-deploy workspace takes list or delete (got ${verb === undefined ? 'nothing' : JSON.stringify(verb)})${suggestion ? `; ${suggestion}` : ''}`, 'gpu-deploy workspace --help');
}
