import { getLatestDlami } from '../ami/resolve.js';
import { amiWarnings } from '../ami/warnings.js';
import { ec2Client } from '../aws/ec2.js';
import { ssmClient } from '../aws/ssm.js';
import { parseRequest } from '../request.js';
import type { ResolvedAmi } from '../types.js';
import { withCloud } from './cloud-scope.js';
import { printJson, type Io } from './output.js';
import { assertRegionExists } from '../aws/regions.js';
import { parseCommandArgs } from './args.js';
import { commandSpec } from './commands.js';
import { requestFromFlags } from './request-options.js';

/** `gpu-deploy ami`: the DLAMI a deployment with these options would use. */
export async function amiCommand(request: Record<string, unknown>, options: { local: boolean; json: boolean }, io: Io): Promise<number> {
  const { region, osType, architecture, amiType, amiFallback } = parseRequest(request);
  await assertRegionExists(region, { emulated: options.local });
  const fallback = amiFallback === undefined ? {} : { fallback: amiFallback };
  const ami: ResolvedAmi = await withCloud(options.local, region, (l) => io.err(`${l}\n`), () =>
    getLatestDlami({ ec2: ec2Client(region), ssm: ssmClient(region) }, { region, osType, architecture, amiType, ...fallback }),
  );
  const { imageId, name, creationDate, source, needsDriver } = ami;
  const warnings = amiWarnings({ region, osType, architecture, amiType }, ami);
  const result = { region, osType, architecture, amiType, imageId, name, creationDate, source, needsDriver, warnings };
  if (options.json) printJson(io, result);
  else {
    io.out(`${imageId}  ${name}\n  created ${creationDate}, found by ${source}${needsDriver ? ' (no DLAMI: UserData installs the NVIDIA driver)' : ''}\n`);
    for (const warning of warnings) io.out(`warning: ${warning}\n`);
  }
  return 0;
}

/** `gpu-deploy ami [request options] [--local] [--json]`: the arguments, then amiCommand. */
export async function amiMain(args: string[], io: Io): Promise<number> {
  const { values } = parseCommandArgs(commandSpec('ami'), args);
  return amiCommand(requestFromFlags(values), { local: values.local === true, json: values.json === true }, io);
}
