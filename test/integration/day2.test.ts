import { DescribeInstancesCommand, DescribeSecurityGroupsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetInstanceProfileCommand, IAMClient } from '@aws-sdk/client-iam';
import { DescribeSessionsCommand, SSMClient } from '@aws-sdk/client-ssm';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../lib/local/moto.js';
import { repoRoot } from '../../lib/local/paths.js';

// The day-2 commands as a user runs them: `gpu-deploy local-cloud` in one process, and each command a separate
// `gpu-deploy` process pointed at it by AWS_ENDPOINT_URL, with no instance profile configured anywhere.
const root = repoRoot();
const bin = join(root, 'bin', 'gpu-deploy.js');
const scratch = mkdtempSync(join(tmpdir(), 'gpu-deploy-day2-'));
const stateFile = join(scratch, 'local-cloud.json');
const record = join(scratch, 'plugin');
let cloud: ChildProcess;
let env: Record<string, string>;
let deploymentId: string;
let instanceId: string;
let access: Record<string, string>;

const baseEnv = (): NodeJS.ProcessEnv => {
  const e: NodeJS.ProcessEnv = { ...process.env, GPU_DEPLOY_LOCAL_CLOUD_FILE: stateFile };
  for (const key of ['AWS_ENDPOINT_URL', 'AWS_PROFILE', 'GPU_DEPLOY_INSTANCE_PROFILE']) delete e[key];
  return e;
};

function cli(args: string[], extra: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...baseEnv(), ...env, ...extra }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

const sdk = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

beforeAll(async () => {
  cloud = spawn(process.execPath, [bin, 'local-cloud', '--json'], { env: baseEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  cloud.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  for (let i = 0; i < 600 && !out.trim().endsWith('}'); i += 1) await new Promise((r) => setTimeout(r, 100));
  env = (JSON.parse(out) as { env: Record<string, string> }).env;
}, 90_000);

afterAll(async () => {
  if (cloud.exitCode === null) {
    const exited = new Promise((r) => cloud.once('exit', r));
    cloud.kill('SIGINT');
    await exited;
  }
  rmSync(scratch, { recursive: true, force: true });
}, 30_000);

test('run --aws with no instance profile configured creates gpu-deploy-ssm and launches with it', async () => {
  // Act
  const run = await cli(['run', '--aws', '--json', '--wait-ms', '20']);
  // Assess
  expect(run.stderr).toContain('Instance profile: gpu-deploy-ssm, created now');
  expect(run.code).toBe(0);
  const result = JSON.parse(run.stdout) as { deploymentId: string; instanceId: string; access: Record<string, string> };
  ({ deploymentId, instanceId, access } = result);
  expect(result.access.connect).toBe(`gpu-deploy connect ${deploymentId} --region us-east-1 --aws`);
  const iam = new IAMClient({ ...sdk, endpoint: env.AWS_ENDPOINT_URL });
  const profile = await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: 'gpu-deploy-ssm' }));
  expect(profile.InstanceProfile?.Roles?.map((r) => r.RoleName)).toEqual(['gpu-deploy-ssm']);
  const ec2 = new EC2Client({ ...sdk, endpoint: env.AWS_ENDPOINT_URL });
  const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
  expect(described.Reservations?.[0]?.Instances?.[0]?.IamInstanceProfile?.Arn).toMatch(/instance-profile\/gpu-deploy-ssm$/);
}, 120_000);

test("exec prints the simulated host's GPU line, passes the command's exit status, and keeps hostile arguments whole", async () => {
  // Act
  const smi = await cli(['exec', deploymentId, '--', 'nvidia-smi', '-L']);
  const three = await cli(['exec', deploymentId, '--', 'sh', '-c', 'exit 3']);
  const hostile = ["it's", '$(id)', 'a; b', 'two\nlines', '`id`'];
  const quoted = await cli(['exec', deploymentId, '--json', '--', 'printf', '[%s]', ...hostile]);
  // Assess
  expect(smi.code).toBe(0);
  expect(smi.stdout).toMatch(/^GPU 0: NVIDIA A10G \(UUID: GPU-/);
  expect(three.code).toBe(3);
  expect(quoted.code).toBe(0);
  expect(JSON.parse(quoted.stdout)).toMatchObject({ status: 'Success', exitCode: 0, stdout: hostile.map((a) => `[${a}]`).join(''), instanceId });
}, 60_000);

test('tunnel starts session-manager-plugin with AWS-StartPortForwardingSession for 11434, then terminates the session', async () => {
  // Act
  const tunnel = await cli(['tunnel', deploymentId], { PATH: `${join(root, 'test', 'fixtures', 'fake-plugin')}:${process.env.PATH ?? ''}`, FAKE_PLUGIN_RECORD: record });
  // Assess
  expect(tunnel.code).toBe(0);
  expect(tunnel.stdout).toContain('Ollama at http://127.0.0.1:11434');
  expect(tunnel.stdout).toContain('curl http://127.0.0.1:11434/api/version');
  const argv = readFileSync(`${record}.argv`, 'utf8').split('\0').slice(0, -1);
  expect(argv.slice(0, 4)).toEqual(['AWS_SSM_START_SESSION_RESPONSE', 'us-east-1', 'StartSession', '']);
  expect(JSON.parse(argv[4] ?? '')).toEqual({ Target: instanceId, DocumentName: 'AWS-StartPortForwardingSession', Parameters: { portNumber: ['11434'], localPortNumber: ['11434'] } });
  expect(argv[5]).toBe(env.AWS_ENDPOINT_URL);
  const sessionId = (JSON.parse(readFileSync(`${record}.response-env`, 'utf8')) as { SessionId: string }).SessionId;
  const ssm = new SSMClient({ ...sdk, endpoint: env.AWS_ENDPOINT_URL });
  const history = await ssm.send(new DescribeSessionsCommand({ State: 'History' }));
  expect(history.Sessions?.map((s) => s.SessionId)).toContain(sessionId);
}, 60_000);

test("tunnel --local serves the simulated host's Ollama API on the local port until Ctrl-C", async () => {
  // Prepare
  const port = await freePort();
  const child = spawn(process.execPath, [bin, 'tunnel', deploymentId, '--local', '--local-port', String(port)], { env: { ...baseEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  for (let i = 0; i < 300 && !out.includes('Ctrl-C'); i += 1) await new Promise((r) => setTimeout(r, 100));
  // Act
  const version = await fetch(`http://127.0.0.1:${port}/api/version`);
  const tags = (await (await fetch(`http://127.0.0.1:${port}/api/tags`)).json()) as { models: { name: string }[] };
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.kill('SIGINT');
  // Assess
  expect(out).toContain(`Ollama at http://127.0.0.1:${port} (local stand-in`);
  expect(await version.json()).toEqual({ version: '0.5.7' });
  expect(tags.models[0]?.name).toBe('llama3.2:1b');
  expect(await exited).toBe(0);
  await expect(fetch(`http://127.0.0.1:${port}/api/version`)).rejects.toThrow();
}, 60_000);

test('list --json shows the deployment with its hourly price, cost so far, verification and the way in', async () => {
  // Act
  const list = await cli(['list', '--json']);
  const text = await cli(['list', '--local']);
  // Assess
  expect(list.code).toBe(0);
  const doc = JSON.parse(list.stdout) as { deployments: Record<string, unknown>[]; totals: { running: number } };
  const row = doc.deployments.find((d) => d.deploymentId === deploymentId);
  expect(row).toMatchObject({ instanceId, state: 'running', instanceType: 'g5.xlarge', lifetime: 'no lifetime: runs until you tear it down' });
  expect(row?.hourlyPrice).toEqual(expect.any(Number));
  expect(row?.costSoFar).toEqual(expect.any(Number));
  expect(row?.verification).toMatch(/^GPU verified at /);
  expect(doc.totals.running).toBeGreaterThanOrEqual(1);
  expect(text.stdout).toMatch(/\d+ running, \$\d+\.\d{2}\/h, \$\d+\.\d{2} so far/);
  expect(text.stdout).toContain(`gpu-deploy tunnel ${deploymentId} --region us-east-1 --local`);
}, 60_000);

test('connect without the plugin: SessionManagerPluginMissingError with the install steps; the session is terminated', async () => {
  // Act
  const connect = await cli(['connect', deploymentId, '--json'], { PATH: '/usr/bin:/bin' });
  // Assess
  expect(connect.code).toBe(1);
  expect(JSON.parse(connect.stdout)).toMatchObject({ status: 'FAILED', error: 'SessionManagerPluginMissingError', hint: expect.stringContaining('brew install --cask session-manager-plugin') });
  const ssm = new SSMClient({ ...sdk, endpoint: env.AWS_ENDPOINT_URL });
  expect((await ssm.send(new DescribeSessionsCommand({ State: 'Active' }))).Sessions).toEqual([]);
}, 60_000);

test('a deployment id with no instance is a named error', async () => {
  // Act
  const exec = await cli(['exec', 'no-such-deployment', '--json', '--', 'true']);
  // Assess
  expect(exec.code).toBe(1);
  expect(JSON.parse(exec.stdout)).toMatchObject({ error: 'DeploymentInstanceNotFoundError' });
  expect(existsSync(stateFile)).toBe(true);
}, 60_000);

/** A printed access command (`gpu-deploy status ID --region R --aws`) as the arguments a user's shell passes. */
const argsOf = (printed: string | undefined): string[] => {
  expect(printed).toMatch(/^gpu-deploy [a-z-]+ /);
  return (printed as string).split(' ').slice(1);
};

const withFakePlugin = (): Record<string, string> => ({ PATH: `${join(root, 'test', 'fixtures', 'fake-plugin')}:${process.env.PATH ?? ''}`, FAKE_PLUGIN_RECORD: record });

/** What EC2 (moto, through the local cloud) still has of a deployment: live instances and its security groups. */
async function leftOf(id: string): Promise<{ live: string[]; groups: string[] }> {
  const ec2 = new EC2Client({ ...sdk, endpoint: env.AWS_ENDPOINT_URL });
  const filter = [{ Name: 'tag:gpu-deploy:deployment-id', Values: [id] }];
  const instances = (await ec2.send(new DescribeInstancesCommand({ Filters: filter }))).Reservations?.flatMap((r) => r.Instances ?? []) ?? [];
  const groups = (await ec2.send(new DescribeSecurityGroupsCommand({ Filters: filter }))).SecurityGroups ?? [];
  return { live: instances.filter((i) => i.State?.Name !== 'terminated').map((i) => i.InstanceId ?? ''), groups: groups.map((g) => g.GroupId ?? '') };
}

test('run --local into the running local cloud: each printed --local command works, extend, and teardown leaves nothing', async () => {
  // Act: a user with `gpu-deploy local-cloud` in another terminal and no AWS_ENDPOINT_URL of their own.
  const asUser = { AWS_ENDPOINT_URL: '', AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' };
  const run = await cli(['run', '--local', '--json'], asUser);
  // Assess
  expect(run.code).toBe(0);
  const result = JSON.parse(run.stdout) as { deploymentId: string; instanceId: string; access: Record<string, string> };
  const id = result.deploymentId;
  expect(Object.values(result.access).filter((c) => c.startsWith('gpu-deploy ')).every((c) => c.includes(' --local'))).toBe(true);
  const status = await cli(argsOf(result.access.status), asUser);
  expect(status.code).toBe(0);
  expect(JSON.parse(status.stdout)).toMatchObject({ status: 'SUCCEEDED', source: expect.stringContaining(`instance ${result.instanceId} and its gpu-deploy:* tags`) });
  expect(status.stderr).toContain('Price: $');
  const exec = await cli(argsOf(result.access.exec), asUser);
  expect({ code: exec.code, gpu: /\|\s+0\s+NVIDIA A10G/.test(exec.stdout) }).toEqual({ code: 0, gpu: true });
  // connect --local opens a shell on the simulated host: with no terminal its stdin ends at once, and so does it.
  expect((await cli(argsOf(result.access.connect), asUser)).code).toBe(0);
  const port = await freePort();
  const tunnel = spawn(process.execPath, [bin, ...argsOf(result.access.tunnel), '--local-port', String(port)], { env: { ...baseEnv(), ...asUser }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  tunnel.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  for (let i = 0; i < 300 && !out.includes('Ctrl-C'); i += 1) await new Promise((r) => setTimeout(r, 100));
  expect(await (await fetch(`http://127.0.0.1:${port}/api/version`)).json()).toEqual({ version: '0.5.7' });
  const tunnelEnded = new Promise<number | null>((r) => tunnel.once('exit', (code) => r(code)));
  tunnel.kill('SIGINT');
  expect(await tunnelEnded).toBe(0);
  const extend = await cli(['extend', id, '--minutes', '30', '--local', '--json'], asUser);
  expect(extend.code).toBe(0);
  expect(JSON.parse(extend.stdout)).toMatchObject({ status: 'EXTENDED', expiresAt: expect.stringMatching(/Z$/), schedule: { action: 'skipped' } });
  const teardown = await cli(argsOf(result.access.teardown), asUser);
  expect(teardown.code).toBe(0);
  expect(JSON.parse(teardown.stdout)).toMatchObject({ status: 'TORN_DOWN', deploymentId: id, terminatedInstances: [result.instanceId] });
  expect(teardown.stderr).toContain('✓ TornDown');
  expect(await leftOf(id)).toEqual({ live: [], groups: [] });
}, 120_000);

test('the access block of run --aws: each printed command works with AWS_ENDPOINT_URL, extend moves the lifetime, teardown leaves nothing', async () => {
  // Act + Assess: each command exactly as `run --aws` printed it (the plugin commands with the fake plugin).
  const status = await cli(argsOf(access.status));
  expect(status.code).toBe(0);
  expect(JSON.parse(status.stdout)).toMatchObject({ status: 'SUCCEEDED', instance: { instanceId, state: 'running' } });
  const exec = await cli(argsOf(access.exec));
  expect(exec.code).toBe(0);
  expect(exec.stdout).toMatch(/\|\s+0\s+NVIDIA A10G/);
  expect((await cli(argsOf(access.connect), withFakePlugin())).code).toBe(0);
  expect((await cli(argsOf(access.tunnel), withFakePlugin())).code).toBe(0);
  const extend = await cli(['extend', deploymentId, '--minutes', '30', '--aws', '--json']);
  expect(extend.code).toBe(0);
  const { expiresAt } = JSON.parse(extend.stdout) as { expiresAt: string };
  expect(JSON.parse((await cli(argsOf(access.status))).stdout)).toMatchObject({ instance: { expiresAt } });
  const teardown = await cli(argsOf(access.teardown));
  expect(teardown.code).toBe(0);
  expect(JSON.parse(teardown.stdout)).toMatchObject({ status: 'TORN_DOWN', terminatedInstances: [instanceId], deletedSecurityGroups: [expect.stringMatching(/^sg-/)] });
  expect(await leftOf(deploymentId)).toEqual({ live: [], groups: [] });
  const after = await cli(argsOf(access.status));
  expect(JSON.parse(after.stdout)).toMatchObject({ status: 'TORN_DOWN' });
}, 120_000);
