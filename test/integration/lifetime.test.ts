/**
 * The lifetime against the local cloud, as a user runs it: a deployment with --max-lifetime and --idle-teardown
 * launches an instance that terminates on shutdown, tagged with its deadline and idle policy, whose UserData
 * carries the guard and the backstop; then `gpu-deploy extend` moves the deadline (Run Command on the stand-in's
 * host, the tag in the emulator) and removes it.
 */
import { DescribeInstanceAttributeCommand, type Instance } from '@aws-sdk/client-ec2';
import { main } from '../../lib/cli/main.js';
import type { Io } from '../../lib/cli/output.js';
import { ec2Client } from '../../lib/aws/ec2.js';
import { startLocalCloud, type LocalCloud } from '../../lib/local/cloud.js';
import { rollbackStep } from '../../lib/steps/rollback.js';
import { deploy, deploymentInstances, motoEc2 } from './helpers.js';
import { decodeUserData } from '../../lib/userdata/index.js';

function capture(): Io & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return { out: (t) => void (out += t), err: (t) => void (err += t), stdout: () => out, stderr: () => err };
}

const REGION = 'us-east-1';
let cloud: LocalCloud;
let deploymentId: string;
let output: Record<string, any>;
let instance: Instance;
const tagsOf = async (): Promise<Record<string, string>> => {
  const [current] = await deploymentInstances(cloud, deploymentId);
  return Object.fromEntries((current?.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
};

beforeAll(async () => {
  cloud = await startLocalCloud({ region: REGION });
  const run = await deploy({ instanceType: 'g5.xlarge', region: REGION, maxLifetimeMinutes: 120, idleTeardown: { minutes: 30 } });
  expect(run.status).toBe('SUCCEEDED');
  deploymentId = run.deploymentId;
  output = run.output as Record<string, any>;
  [instance] = (await deploymentInstances(cloud, deploymentId)) as [Instance];
}, 240_000);

afterAll(async () => {
  if (deploymentId) await rollbackStep({ deploymentId, request: { region: REGION } }, ec2Client(REGION));
  await cloud?.stop();
});

describe('a deployment with a lifetime and an idle teardown', () => {
  test('the instance terminates on shutdown and carries its deadline and idle policy', async () => {
    const behaviour = await motoEc2(cloud).send(new DescribeInstanceAttributeCommand({ InstanceId: instance.InstanceId, Attribute: 'instanceInitiatedShutdownBehavior' }));
    expect(behaviour.InstanceInitiatedShutdownBehavior?.Value).toBe('terminate');
    const tags = await tagsOf();
    expect(tags['gpu-deploy:expires-at']).toBe(output.expiresAt);
    expect(tags['gpu-deploy:idle-teardown']).toBe('minutes=30 below=5');
    // Counted from the execution's start: within the run's duration of now + 120 minutes.
    expect(Date.parse(output.expiresAt) - Date.now()).toBeGreaterThan(115 * 60_000);
    expect(Date.parse(output.expiresAt) - Date.now()).toBeLessThanOrEqual(120 * 60_000);
  });

  test('its UserData carries the guard (timer, idle policy) and the backstop deadline', async () => {
    const attribute = await motoEc2(cloud).send(new DescribeInstanceAttributeCommand({ InstanceId: instance.InstanceId, Attribute: 'userData' }));
    const script = decodeUserData(attribute.UserData?.Value ?? '');
    expect(script).toContain(`readonly EXPIRES_AT_EPOCH='${Date.parse(output.expiresAt) / 1000}'`);
    expect(script).toContain("readonly IDLE_MINUTES='30'");
    expect(script).toContain("readonly IDLE_BELOW_PERCENT='5'");
    expect(script).toContain('systemctl enable --now gpu-deploy-guard.timer');
    expect(script).toContain('stop_instance lifetime');
    // EC2's limit is on what was sent (the gzip, before base64).
    expect(Buffer.from(attribute.UserData?.Value ?? '', 'base64').length).toBeLessThanOrEqual(16384);
  });

  test('the result says what ends it; without the stack there is no schedule, and the note says the backstop holds', () => {
    expect(output.idleTeardown).toEqual({ minutes: 30, gpuUtilizationBelowPercent: 5 });
    expect(output.lifetime).toMatchObject({ expiresAt: output.expiresAt, schedule: null });
    expect(output.lifetime.summary).toContain(`expires at ${output.expiresAt}`);
    expect(output.lifetime.note).toContain('the instance shuts itself down');
  });
});

describe('gpu-deploy extend', () => {
  test('--minutes 30: the backstop on the host, then the tag, move 30 minutes past the deadline', async () => {
    const io = capture();
    expect(await main(['extend', deploymentId, '--minutes', '30', '--region', REGION, '--json'], io)).toBe(0);
    const result = JSON.parse(io.stdout()) as Record<string, any>;
    const expected = new Date(Date.parse(output.expiresAt) + 30 * 60_000).toISOString().replace('.000Z', 'Z');
    expect(result).toMatchObject({ status: 'EXTENDED', deploymentId, instanceId: instance.InstanceId, previousExpiresAt: output.expiresAt, expiresAt: expected });
    expect(result.backstop.output).toBe(`backstop: shutdown at epoch ${Date.parse(expected) / 1000} plus 600 s`);
    expect(result.schedule).toMatchObject({ action: 'skipped', reason: expect.stringContaining('no stack gpu-deploy-dev') });
    expect((await tagsOf())['gpu-deploy:expires-at']).toBe(expected);
    expect(io.stderr()).toContain(`${output.expiresAt} -> ${expected}`);
  }, 120_000);

  test('--none removes the deadline', async () => {
    const io = capture();
    expect(await main(['extend', deploymentId, '--none', '--region', REGION], io)).toBe(0);
    expect(JSON.parse(io.stdout())).toMatchObject({ expiresAt: null, backstop: { output: 'backstop: no deadline' } });
    expect(await tagsOf()).not.toHaveProperty('gpu-deploy:expires-at');
    expect(io.stderr()).toContain('idle teardown after 30 idle minutes');
  }, 120_000);

  test.each([
    [['extend', 'no-such-deployment', '--minutes', '30', '--json'], 1, 'LifetimeInstanceNotFoundError'],
    [['extend', 'x', '--json'], 1, 'RequestInvalidError'],
    [['extend', 'x', '--minutes', '0', '--json'], 1, 'RequestInvalidError'],
    [['extend', 'x', '--minutes', '5', '--none', '--json'], 2, 'UsageError'],
    [['extend', '--minutes', '5', '--json'], 2, 'UsageError'],
    [['extend', 'a*b', '--minutes', '5', '--json'], 1, 'DeploymentIdInvalidError'],
  ])('%j: exit %i, %s', async (args, code, error) => {
    const io = capture();
    expect(await main([...args, '--region', REGION], io)).toBe(code);
    expect(JSON.parse(io.stdout())).toMatchObject({ status: 'FAILED', error });
  }, 60_000);
});
