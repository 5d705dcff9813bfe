import { main } from '../../lib/cli/main.js';
import type { Io } from '../../lib/cli/output.js';
import { startLocalCloud, type LocalCloud } from '../../lib/local/cloud.js';

// run --aws with no instance profile anywhere, against the emulator with IAM's real AccessDenied in front of it.
const ACCESS_DENIED =
  'User: arn:aws:iam::123456789012:user/dev is not authorized to perform: iam:CreateRole on resource: arn:aws:iam::123456789012:role/gpu-deploy-ssm because no identity-based policy allows the iam:CreateRole action';

function capture(): Io & { stdout: () => string } {
  let out = '';
  return { out: (t) => void (out += t), err: () => undefined, stdout: () => out };
}

let cloud: LocalCloud;
beforeAll(async () => {
  cloud = await startLocalCloud({ faults: [{ operation: 'iam.CreateRole', code: 'AccessDenied', status: 403, message: ACCESS_DENIED }] });
  // Nothing configured: the stand-in's seeded stack profile is not offered to this run.
  delete process.env.GPU_DEPLOY_INSTANCE_PROFILE;
}, 60_000);
afterAll(() => cloud.stop());

test('no iam:CreateRole: InstanceProfileUnavailableError before any launch, and no instance exists', async () => {
  // Act
  const io = capture();
  const code = await main(['run', '--aws', '--json', '--wait-ms', '20'], io);
  // Assess
  expect(code).toBe(1);
  const result = JSON.parse(io.stdout()) as { error: string; message: string; hint: string };
  expect(result.error).toBe('InstanceProfileUnavailableError');
  expect(result.message).toContain('AccessDenied');
  expect(result.hint).toContain('--instance-profile NAME');
  expect(cloud.standIn.calls).toContain('iam.CreateRole');
  expect(cloud.standIn.calls).not.toContain('ec2.RunInstances');
  expect(await cloud.liveInstances()).toEqual([]);
}, 60_000);

test('a requested profile that IAM does not know (its own NoSuchEntity): InstanceProfileNotFoundError, no instance', async () => {
  // Act
  const io = capture();
  const code = await main(['run', '--aws', '--json', '--instance-profile', 'no-such-profile'], io);
  // Assess
  expect(code).toBe(1);
  expect(JSON.parse(io.stdout())).toMatchObject({ error: 'InstanceProfileNotFoundError' });
  expect(cloud.standIn.calls).not.toContain('ec2.RunInstances');
  expect(await cloud.liveInstances()).toEqual([]);
}, 60_000);
