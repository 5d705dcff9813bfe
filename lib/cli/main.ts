import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../local/paths.js';
import { didYouMean } from './args.js';
import { COMMANDS, commandNamed } from './commands.js';
import { printFailure } from './failure.js';
import { commandHelp, usage } from './help.js';
import { processIo, type Io } from './output.js';

const HEADLINE = 'turn a GPU request into a verified, GPU-ready EC2 instance.';

/** The arguments before `--` (after it, `exec`'s command keeps its own `-h`). */
const ownArgs = (args: readonly string[]): readonly string[] => (args.includes('--') ? args.slice(0, args.indexOf('--')) : args);

const version = (): string => String((JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as { version?: unknown }).version ?? 'unknown');

/** Entry point of the command line; returns the exit code. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    const named = command === 'help' && rest[0] ? commandNamed(rest[0]) : undefined;
    io.out(named ? commandHelp(named) : usage(HEADLINE));
    return command ? 0 : 2;
  }
  if (command === '--version') {
    io.out(`gpu-deploy ${version()}\n`);
    return 0;
  }
  const spec = commandNamed(command);
  if (!spec) {
    const suggestion = didYouMean(command, COMMANDS.map((c) => c.name));
    io.err(`error: unknown command "${command}"${suggestion ? `; ${suggestion}` : ''}\nhint: gpu-deploy --help lists the commands\n`);
    return 2;
  }
  if (ownArgs(rest).some((arg) => arg === '--help' || arg === '-h')) {
    io.out(commandHelp(spec));
    return 0;
  }
  try {
    return await (await spec.main())(rest, io);
  } catch (error) {
    return printFailure(io, rest.includes('--json'), error);
  }
}
