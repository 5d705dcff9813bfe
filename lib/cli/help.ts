/**
 * The usage texts, rendered from the one declaration of the commands (lib/cli/commands.ts) and of the request
 * options (lib/cli/request-options.ts): the top-level usage and each command's `--help`.
 */
import { COMMAND_GROUPS, COMMANDS, type CommandSpec, type OptionSpec, type OptionSpecs } from './commands.js';
import { REQUEST_OPTION_SPECS } from './request-options.js';

const WIDTH = 116;

/** Words wrapped to lines of at most `width`, each line after the first indented by `indent`. */
export function wrap(text: string, indent: number, width = WIDTH): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && indent + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join(`\n${' '.repeat(indent)}`);
}

const flag = (name: string, option: OptionSpec): string => `--${name}${option.type === 'string' ? ` ${option.value ?? 'VALUE'}` : ''}`;

/** `run [request options] [--local | --aws] [--json] ...`: the command's synopsis from its options. */
export function synopsis(command: CommandSpec): string {
  const parts: string[] = [command.name, ...(command.args ? [command.args.split(' -- ')[0] as string] : []), ...(command.requestOptions ? ['[request options]'] : [])];
  const done = new Set<string>();
  for (const [name, option] of Object.entries(command.options)) {
    if (done.has(name)) continue;
    if (option.oneOf) {
      const group = Object.entries(command.options).filter(([, o]) => o.oneOf === option.oneOf);
      for (const [member] of group) done.add(member);
      parts.push(`[${group.map(([member, o]) => flag(member, o)).join(' | ')}]`);
    } else parts.push(`[${flag(name, option)}]`);
  }
  if (command.args?.includes(' -- ')) parts.push(`-- ${command.args.split(' -- ')[1] ?? ''}`);
  return parts.join(' ');
}

function optionLines(options: OptionSpecs): string {
  const rows = Object.entries(options).map(([name, option]) => [flag(name, option), option.help] as const);
  const column = Math.min(30, Math.max(...rows.map(([left]) => left.length)) + 2);
  // An option wider than the column starts its help on the next line, never glued to it.
  const line = (left: string, help: string): string =>
    left.length + 2 > column ? `  ${left}\n${' '.repeat(column + 2)}${wrap(help, column + 2)}` : `  ${left.padEnd(column)}${wrap(help, column + 2)}`;
  return rows.map(([left, help]) => line(left, help)).join('\n');
}

/** `gpu-deploy COMMAND --help`. */
export function commandHelp(command: CommandSpec): string {
  const sections = [`Usage: ${wrap(`gpu-deploy ${synopsis(command)}`, 7)}`, wrap(command.summary, 0), `Options:\n${optionLines(command.options)}`];
  if (command.requestOptions) sections.push(`Request options (flags over --config file over defaults):\n${optionLines(REQUEST_OPTION_SPECS)}`);
  if (command.notes?.length) sections.push(command.notes.map((note) => wrap(note, 2)).join('\n'));
  return `${sections.join('\n\n')}\n`;
}

/** The top-level usage: every command by group, where the day-2 commands look, and the request options. */
export function usage(headline: string): string {
  const groups = Object.entries(COMMAND_GROUPS).map(([group, title]) => {
    const entries = COMMANDS.filter((c) => c.group === group).map((c) => `  ${wrap(`gpu-deploy ${synopsis(c)}`, 6)}\n      ${wrap(c.summary, 6)}`);
    return `${title}:\n${entries.join('\n')}`;
  });
  return [
    `gpu-deploy: ${headline}`,
    'Usage: gpu-deploy COMMAND [options]   (gpu-deploy COMMAND --help: that command alone; gpu-deploy --version)',
    ...groups,
    wrap(
      'Where the day-2 commands look: --local is the running `gpu-deploy local-cloud`; --aws is whatever the AWS SDK is configured for (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL), for a `run --aws` deployment; neither is the deployed stack gpu-deploy-<stage> (status, teardown; extend moves its schedule too), or the SDK\'s account for connect, tunnel, exec and list.',
      0,
    ),
    `Request options of run, plan, ami and start (flags over --config file over defaults):\n${optionLines(REQUEST_OPTION_SPECS)}`,
  ].join('\n\n') + '\n';
}
