import { EC2Client, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { DescribeSessionsCommand, SendCommandCommand, SSMClient, StartSessionCommand } from '@aws-sdk/client-ssm';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localCloudMain } from '../../lib/cli/local-cloud.js';
import { main } from '../../lib/cli/main.js';
import type { Io } from '../../lib/cli/output.js';
import { tunnelMain } from '../../lib/cli/tunnel.js';
import { readLocalCloudState } from '../../lib/local/cloud-state.js';
import { freePort } from '../../lib/local/moto.js';
import { repoRoot } from '../../lib/local/paths.js';

// The same day-2 commands in this process (what coverage sees), against `gpu-deploy local-cloud` run in-process.
function capture(): Io & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return { out: (t) => void (out += t), err: (t) => void (err += t), stdout: () => out, stderr: () => err };
}

const scratch = mkdtempSync(join(tmpdir(), 'gpu-deploy-day2-inproc-'));
const savedPath = process.env.PATH;
const stopCloud = new AbortController();
let cloudDone: Promise<number>;
let deploymentId: string;

beforeAll(async () => {
  process.env.GPU_DEPLOY_LOCAL_CLOUD_FILE = join(scratch, 'state.json');
  const io = capture();
  cloudDone = localCloudMain([], io, stopCloud.signal);
  for (let i = 0; i < 600 && !readLocalCloudState(); i += 1) await new Promise((r) => setTimeout(r, 100));
  expect(io.stdout()).toContain('Deploy into it:  npx gpu-deploy run --local');
}, 90_000);

afterAll(async () => {
  process.env.PATH = savedPath;
  stopCloud.abort();
  await cloudDone;
  expect(readLocalCloudState()).toBeUndefined();
  delete process.env.GPU_DEPLOY_LOCAL_CLOUD_FILE;
  rmSync(scratch, { recursive: true, force: true });
}, 30_000);

test('run --local deploys into the running local cloud (the instance stays) with a resolved instance profile and the access block', async () => {
  // Act
  const io = capture();
  const code = await main(['run', '--local', '--json'], io);
  // Assess
  expect(code).toBe(0);
  expect(io.stderr()).toContain('Deploying into the local cloud at');
  expect(io.stderr()).toContain('Instance profile: gpu-deploy-ssm');
  const result = JSON.parse(io.stdout()) as { deploymentId: string; access: Record<string, string> };
  deploymentId = result.deploymentId;
  expect(result.access.exec).toBe(`gpu-deploy exec ${deploymentId} --region us-east-1 --local -- nvidia-smi`);
  expect(await main(['local-cloud'], capture())).toBe(1);
}, 120_000);

test('plan --local and gpus --local answer from the running local cloud (none of their own), which stays up', async () => {
  const plan = capture();
  const gpus = capture();
  expect(await main(['plan', '--local', '--json'], plan)).toBe(0);
  expect(await main(['gpus', '--local', '--instance-type', 'g5.xlarge', '--json'], gpus)).toBe(0);
  const endpoint = readLocalCloudState()?.endpoint ?? 'none';
  for (const io of [plan, gpus]) {
    expect(io.stderr()).toContain(`Using the running local cloud at ${endpoint}`);
    expect(io.stderr()).not.toContain('Starting the local cloud');
  }
  expect(JSON.parse(plan.stdout()).attempts.length).toBeGreaterThan(0);
  expect(readLocalCloudState()?.endpoint).toBe(endpoint);
}, 60_000);

test('exec --local: the output and exit status of the command on the simulated host', async () => {
  // Act
  const io = capture();
  const three = capture();
  // Assess
  expect(await main(['exec', deploymentId, '--local', '--', 'nvidia-smi', '-L'], io)).toBe(0);
  expect(io.stdout()).toContain('GPU 0: NVIDIA A10G');
  expect(await main(['exec', deploymentId, '--local', '--', 'sh', '-c', 'echo oops >&2; exit 3'], three)).toBe(3);
  expect(three.stderr()).toContain('oops');
  expect(three.stderr()).toContain('Command Failed (exit 3)');
  expect(await main(['exec', deploymentId, '--local', 'nvidia-smi'], capture())).toBe(2);
  expect(await main(['exec', deploymentId, '--local', '--timeout', '0', '--', 'true'], capture())).toBe(2);
  expect(await main(['exec', deploymentId, '--region', 'Mars', '--', 'true'], capture())).toBe(1);
}, 60_000);

test('tunnel: the plugin path (fake plugin on PATH) and the local stand-in path, each ended and terminated', async () => {
  // Prepare
  process.env.PATH = `${join(repoRoot(), 'test', 'fixtures', 'fake-plugin')}:${savedPath ?? ''}`;
  process.env.FAKE_PLUGIN_RECORD = join(scratch, 'plugin');
  const viaPlugin = capture();
  // Act + Assess: the fake plugin exits at once, as the real one does when its session ends.
  expect(await tunnelMain([deploymentId, '--remote-port', '8888', '--local-port', '18888'], viaPlugin)).toBe(0);
  expect(viaPlugin.stdout()).toContain('Port 8888 of the instance at http://127.0.0.1:18888');
  expect(viaPlugin.stderr()).toMatch(/Session gpu-deploy-local-\w+ terminated/);
  process.env.PATH = savedPath;
  delete process.env.FAKE_PLUGIN_RECORD;

  const port = await freePort();
  const local = capture();
  const stop = new AbortController();
  const running = tunnelMain([deploymentId, '--local', '--json', '--local-port', String(port)], local, stop.signal);
  for (let i = 0; i < 100 && !local.stdout().includes('TUNNEL_OPEN'); i += 1) await new Promise((r) => setTimeout(r, 50));
  const ps = (await (await fetch(`http://127.0.0.1:${port}/api/ps`)).json()) as { models: { size_vram: number }[] };
  const missing = await fetch(`http://127.0.0.1:${port}/api/generate`);
  const busy = capture();
  await expect(tunnelMain([deploymentId, '--local', '--local-port', String(port)], busy)).rejects.toMatchObject({ name: 'LocalPortInUseError' });
  stop.abort();
  expect(await running).toBe(0);
  expect(JSON.parse(local.stdout())).toMatchObject({ status: 'TUNNEL_OPEN', localPort: port, remotePort: 11434, standIn: true });
  expect(ps.models[0]?.size_vram).toBeGreaterThan(0);
  expect(missing.status).toBe(404);
}, 60_000);

test('connect: a missing plugin is a named error with install steps; --local opens a shell on the simulated host', async () => {
  // Prepare
  process.env.PATH = '/usr/bin:/bin';
  const missing = capture();
  // Act
  const code = await main(['connect', deploymentId], missing);
  process.env.PATH = savedPath;
  const local = capture();
  const localCode = await main(['connect', deploymentId, '--local'], local);
  // Assess
  expect(code).toBe(1);
  expect(missing.stderr()).toContain('error: SessionManagerPluginMissingError');
  expect(missing.stderr()).toContain('Windows:');
  expect(localCode).toBe(0);
  expect(local.stderr()).toContain('Local stand-in: a shell on the simulated GPU host');
}, 60_000);

test('list --local, as a table and as JSON; --region and --all-regions exclude each other', async () => {
  // Act
  const table = capture();
  const doc = capture();
  const all = capture();
  // Assess
  expect(await main(['list', '--local'], table)).toBe(0);
  expect(table.stdout()).toMatch(/DEPLOYMENT\s+STATE\s+TYPE/);
  expect(table.stdout()).toContain(deploymentId);
  expect(table.stdout()).toMatch(/1 running, \$\d+\.\d{2}\/h/);
  expect(await main(['list', '--local', '--json'], doc)).toBe(0);
  expect(JSON.parse(doc.stdout()).deployments[0]).toMatchObject({ deploymentId, verification: expect.stringMatching(/^GPU verified at/) });
  expect(await main(['list', '--local', '--all-regions', '--json'], all)).toBe(0);
  expect(JSON.parse(all.stdout()).regions.length).toBeGreaterThan(10);
  expect(await main(['list', '--region', 'us-east-1', '--all-regions'], capture())).toBe(2);
  expect(await main(['list', '--region', 'nowhere'], capture())).toBe(1);
  const empty = capture();
  expect(await main(['list', '--local', '--region', 'eu-west-3'], empty)).toBe(0);
  expect(empty.stdout()).toBe('No gpu-deploy instances in eu-west-3\n');
}, 60_000);

test("the stand-in's sessions: terminated ones in History, none left Active; an offline or unknown target is TargetNotConnected", async () => {
  // Prepare
  const state = readLocalCloudState();
  const ssm = new SSMClient({ region: 'us-east-1', endpoint: state?.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  // Act
  const history = await ssm.send(new DescribeSessionsCommand({ State: 'History' }));
  const active = await ssm.send(new DescribeSessionsCommand({ State: 'Active' }));
  // Assess
  expect((history.Sessions ?? []).length).toBeGreaterThanOrEqual(3);
  expect(active.Sessions).toEqual([]);
  await expect(ssm.send(new StartSessionCommand({ Target: 'i-0000000000000000f' }))).rejects.toMatchObject({ name: 'TargetNotConnected' });
  await expect(ssm.send(new SendCommandCommand({ InstanceIds: ['i-1'], DocumentName: 'AWS-RunPowerShellScript', Parameters: { commands: ['x'] } }))).rejects.toMatchObject({ name: 'InvalidDocument' });
  expect(await main(['exec', 'no-such-deployment', '--local', '--', 'true'], capture())).toBe(1);
}, 30_000);

test('local-cloud keeps a workspace between runs: the second deployment mounts the same file system and finds what the first left there', async () => {
  // Act: two deployments into the running local cloud; the first one's instance writes into the workspace (its
  // simulated mount, a directory, at GPU_DEPLOY_WORKSPACE_PATH on the simulated host), then ends.
  const first = capture();
  expect(await main(['run', '--local', '--json', '--workspace', 'keep'], first)).toBe(0);
  const one = JSON.parse(first.stdout()) as { deploymentId: string; instanceId: string; workspace: { fileSystemId: string } };
  expect(await main(['exec', one.deploymentId, '--local', '--', 'sh', '-c', 'echo "results of run 1" >"$GPU_DEPLOY_WORKSPACE_PATH/notes.txt"'], capture())).toBe(0);
  const state = readLocalCloudState();
  const ec2 = new EC2Client({ region: 'us-east-1', endpoint: state?.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await ec2.send(new TerminateInstancesCommand({ InstanceIds: [one.instanceId] }));
  const second = capture();
  expect(await main(['run', '--local', '--json', '--workspace', 'keep'], second)).toBe(0);
  const two = JSON.parse(second.stdout()) as { deploymentId: string; workspace: { fileSystemId: string; mounted: boolean } };
  const read = capture();
  // Assess
  expect(two.workspace).toMatchObject({ fileSystemId: one.workspace.fileSystemId, mounted: true });
  expect(await main(['exec', two.deploymentId, '--local', '--', 'sh', '-c', 'cat "$GPU_DEPLOY_WORKSPACE_PATH/notes.txt"'], read)).toBe(0);
  expect(read.stdout()).toContain('results of run 1');
  const listed = capture();
  expect(await main(['workspace', 'list', '--local', '--json'], listed)).toBe(0);
  expect(JSON.parse(listed.stdout()).workspaces).toEqual([expect.objectContaining({ name: 'keep', fileSystemId: one.workspace.fileSystemId, size: expect.objectContaining({ totalBytes: 'results of run 1\n'.length }) })]);
}, 120_000);

test('status, extend and teardown --local: read from the instance and its tags, moved, then removed by the teardown state machine', async () => {
  // Act
  const status = capture();
  const extend = capture();
  const teardown = capture();
  const again = capture();
  const gone = capture();
  expect(await main(['status', deploymentId, '--local'], status)).toBe(0);
  expect(await main(['extend', deploymentId, '--minutes', '30', '--local', '--json'], extend)).toBe(0);
  expect(await main(['teardown', deploymentId, '--local', '--json'], teardown)).toBe(0);
  expect(await main(['status', deploymentId, '--local', '--json'], again)).toBe(0);
  expect(await main(['teardown', 'no-such-deployment', '--local', '--json'], gone)).toBe(1);
  // Assess
  expect(status.stderr()).toMatch(/^Deployment \S+: SUCCEEDED \(running g5\.xlarge in us-east-1\w, \w[\w-]+; GPU verified at /);
  expect(status.stderr()).toContain('  read from instance i-');
  expect(JSON.parse(extend.stdout())).toMatchObject({ status: 'EXTENDED', schedule: { action: 'skipped', reason: expect.stringContaining('--local') } });
  const torn = JSON.parse(teardown.stdout()) as { status: string; terminatedInstances: string[]; deletedSecurityGroups: string[] };
  expect(torn).toMatchObject({ status: 'TORN_DOWN', deploymentId, region: 'us-east-1' });
  expect(torn.terminatedInstances).toHaveLength(1);
  expect(torn.deletedSecurityGroups).toHaveLength(1);
  expect(teardown.stderr()).toMatch(/✓ WaitForTeardown: 1 poll, /);
  expect(JSON.parse(again.stdout())).toMatchObject({ status: 'TORN_DOWN', instance: { state: 'terminated', expiresAt: expect.stringMatching(/Z$/) } });
  expect(JSON.parse(gone.stdout())).toMatchObject({ error: 'DeploymentNotFoundError' });
}, 60_000);
