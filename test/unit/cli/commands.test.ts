/**
 * The command line's one declaration of its commands (lib/cli/commands.ts) as a user meets it through main():
 * `--help` and `-h` everywhere, `--version`, "did you mean", negative numbers as values, flags named in errors.
 */
import { readFileSync } from 'node:fs';
import { commandOptions, parseCommandArgs } from '../../../lib/cli/args.js';
import { COMMANDS, commandSpec } from '../../../lib/cli/commands.js';
import { synopsis, usage, wrap } from '../../../lib/cli/help.js';
import { main } from '../../../lib/cli/main.js';
import { requestFromFlags, requestFlagHelp } from '../../../lib/cli/request-options.js';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe('--help, -h and --version', () => {
  test.each(COMMANDS.map((c) => c.name))('gpu-deploy %s --help prints that command alone and exits 0', async (name) => {
    const help = await cli(name, '--help');
    const short = await cli(name, 'ID', '-h');
    expect(help.code).toBe(0);
    expect(help.out.startsWith(`Usage: gpu-deploy ${name}`)).toBe(true);
    expect(help.out).toContain('Options:\n');
    expect(short).toEqual(help);
    expect(help.err).toBe('');
  });

  test('every option of every command is described in its help, request options included where taken', async () => {
    for (const command of COMMANDS) {
      const { out } = await cli(command.name, '--help');
      for (const name of Object.keys(commandOptions(command))) expect(out).toContain(`--${name}`);
      expect(out.includes('Request options')).toBe(command.requestOptions === true);
    }
  });

  test('each option line keeps at least two spaces between the flag and its help, however wide the flag', async () => {
    for (const command of COMMANDS) {
      const { out } = await cli(command.name, '--help');
      const lines = out.split('\n').filter((line) => /^ {2}--/.test(line));
      for (const line of lines) expect(line).toMatch(/^ {2}--[a-z-]+(?: [A-Z][A-Z[\],]*)?(?: {2,}\S.*)?$/);
    }
    const run = (await cli('run', '--help')).out;
    expect(run).toMatch(/\n {2}--simulate-no-capacity ZONE\[,ZONE\]\n {32}local cloud: RunInstances in these zones answers InsufficientInstanceCapacity\n/);
  });

  test('--version prints the version of package.json; help lists every command', async () => {
    const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
    expect(await cli('--version')).toEqual({ code: 0, out: `gpu-deploy ${version}\n`, err: '' });
    const top = await cli('--help');
    for (const command of COMMANDS) expect(top.out).toContain(`gpu-deploy ${synopsis(command)}`.split(' [')[0]);
    expect((await cli('help', 'tunnel')).out).toContain('Usage: gpu-deploy tunnel ID');
  });

  test('after --, exec keeps -h for the command it runs', async () => {
    // exec then fails for want of a local cloud, not with help.
    const saved = process.env.GPU_DEPLOY_LOCAL_CLOUD_FILE;
    process.env.GPU_DEPLOY_LOCAL_CLOUD_FILE = '/nonexistent/local-cloud.json';
    const run = await cli('exec', 'abc', '--local', '--json', '--', 'ls', '-h');
    if (saved === undefined) delete process.env.GPU_DEPLOY_LOCAL_CLOUD_FILE;
    else process.env.GPU_DEPLOY_LOCAL_CLOUD_FILE = saved;
    expect(run.out).not.toContain('Usage:');
    expect(JSON.parse(run.out)).toMatchObject({ error: 'LocalCloudNotRunningError' });
  });
});

describe('mistakes in the user\'s own words', () => {
  test('a typo\'d command or flag gets "did you mean"; exit 2', async () => {
    const command = await cli('statsu', 'x');
    expect(command).toMatchObject({ code: 2, out: '' });
    expect(command.err).toContain('unknown command "statsu"; did you mean status?');
    expect((await cli('stauts', 'x')).err).toContain('did you mean status?');
    const flag = await cli('status', 'x', '--locl', '--json');
    expect(flag.code).toBe(2);
    expect(JSON.parse(flag.out)).toMatchObject({ error: 'UsageError', message: 'gpu-deploy status has no option --locl; did you mean --local?', hint: 'gpu-deploy status --help lists its options' });
    expect((await cli('plan', '--zzzz', '--json')).out).toContain('gpu-deploy plan has no option --zzzz"');
  });

  test('a negative number is the value of the flag before it, and the range error names the flag typed', async () => {
    const run = await cli('plan', '--max-lifetime', '-5', '--json');
    expect(run.code).toBe(1);
    expect(JSON.parse(run.out)).toMatchObject({
      error: 'RequestInvalidError',
      message: 'The deployment request is invalid: --max-lifetime -5: maxLifetimeMinutes must be an integer from 15 to 525600 (got -5)',
      details: { fields: ['maxLifetimeMinutes'] },
    });
    expect(parseCommandArgs(commandSpec('exec'), ['id', '--timeout', '-1']).values.timeout).toBe('-1');
  });

  test('options of one group exclude each other; a command without arguments takes none', () => {
    expect(() => parseCommandArgs(commandSpec('extend'), ['id', '--minutes', '5', '--none'])).toThrow('--minutes and --none exclude each other');
    expect(() => parseCommandArgs(commandSpec('list'), ['--local', '--aws'])).toThrow('--local and --aws exclude each other');
    expect(() => parseCommandArgs(commandSpec('plan'), ['g5.xlarge'])).toThrow('gpu-deploy plan takes no arguments (got "g5.xlarge")');
    expect(() => parseCommandArgs(commandSpec('plan'), ['--local=yes'])).toThrow(expect.objectContaining({ hint: 'gpu-deploy plan --help lists its options' }));
  });

  test('requestFromFlags: only problems of flags the user typed name the flag; config-file fields keep their names', () => {
    expect(() => requestFromFlags({ 'root-volume-gib': '2', market: 'cheap' }, {})).toThrow(
      'The deployment request is invalid: --market cheap: market must be one of auto, spot, on-demand (got "cheap"); --root-volume-gib 2: rootVolumeGiB must be an integer from 8 to 16384 (got 2)',
    );
    expect(requestFromFlags({ 'instance-type': 'g6.xlarge' }, {})).toEqual({ instanceType: 'g6.xlarge' });
  });
});

describe('the help texts', () => {
  test('a request flag\'s help comes from the request\'s declaration: description, choices and default', () => {
    expect(requestFlagHelp('osType')).toBe('Operating system of the DLAMI (ubuntu-22.04: default, ubuntu-24.04, amazon-linux-2023, amazon-linux-2)');
    expect(requestFlagHelp('region')).not.toContain('(default');
    expect(requestFlagHelp('amiFallback')).toMatch(/Default: standard for base, none for framework types \(standard, none\)$/);
    expect(requestFlagHelp('rootVolumeGiB')).toBe('Encrypted gp3 root volume size (default 100)');
    expect(requestFlagHelp('idleTeardown.minutes')).toBe('Consecutive idle minutes before teardown');
  });

  test('synopses group exclusive flags and keep exec\'s command last; long lines wrap at words', () => {
    expect(synopsis(commandSpec('extend'))).toBe('extend ID [--minutes N | --none] [--region R] [--local | --aws] [--json] [--stage S] [--stack-region R]');
    expect(synopsis(commandSpec('exec')).endsWith('[--json] -- COMMAND [ARG...]')).toBe(true);
    expect(wrap('aaa bbb ccc', 2, 8)).toBe('aaa\n  bbb\n  ccc');
    expect(usage('x').split('\n').every((line) => line.length <= 116)).toBe(true);
  });
});
