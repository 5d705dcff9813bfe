import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { AddRoleToInstanceProfileCommand, CreateInstanceProfileCommand, CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resetClients } from '../aws/clients.js';
import { startMoto, type RunningMoto } from './moto.js';
import { buildSeed } from './seed-images.js';
import { startStandIn, type Fault, type HostSimulation, type StandIn } from './standin.js';

/** The instance profile a deployed stack provides; seeded into the emulator under the same name. */
export const LOCAL_INSTANCE_PROFILE = 'gpu-deploy-local-instance';

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export interface LocalCloud {
  /** What the SDK talks to: the stand-in, which forwards to moto what moto implements. */
  endpoint: string;
  moto: RunningMoto;
  standIn: StandIn;
  region: string;
  /** Instances of the emulator that are not terminated. */
  liveInstances: () => Promise<string[]>;
  stop: () => Promise<void>;
}

const ENV_KEYS = ['AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_REGION', 'AWS_PROFILE', 'GPU_DEPLOY_INSTANCE_PROFILE'] as const;

async function seedAccount(endpoint: string, region: string): Promise<void> {
  const iam = new IAMClient({ region, endpoint, credentials: LOCAL_CREDENTIALS });
  const assumeRolePolicy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
  });
  await iam.send(new CreateRoleCommand({ RoleName: LOCAL_INSTANCE_PROFILE, AssumeRolePolicyDocument: assumeRolePolicy }));
  await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: LOCAL_INSTANCE_PROFILE }));
  await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: LOCAL_INSTANCE_PROFILE, RoleName: LOCAL_INSTANCE_PROFILE }));
}

/**
 * Starts the local cloud (moto plus the stand-in for what moto lacks), seeds what a real account has (default VPC,
 * public DLAMI records and their SSM parameters, an SSM instance profile) and points this process's AWS SDK at it
 * through `AWS_ENDPOINT_URL`. `stop()` stops both servers and restores the environment.
 *
 * @example
 * const cloud = await startLocalCloud({ region: 'us-east-1' });
 * try { … } finally { await cloud.stop(); }
 */
export async function startLocalCloud(options: { region?: string; host?: HostSimulation; faults?: Fault[]; log?: (line: string) => void } = {}): Promise<LocalCloud> {
  const region = options.region ?? 'us-east-1';
  const seed = buildSeed();
  const scratch = mkdtempSync(join(tmpdir(), 'gpu-deploy-cloud-'));
  const amisPath = join(scratch, 'amis.json');
  writeFileSync(amisPath, JSON.stringify(seed.images));
  // The simulated hosts' workspace mounts (a directory per file system): they live as long as this cloud.
  const workspaceRoot = join(scratch, 'workspaces');
  mkdirSync(workspaceRoot);
  const moto = await startMoto({ amisPath, ...(options.log ? { log: options.log } : {}) });
  let standIn: StandIn | undefined;
  const saved = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));
  const stop = async (): Promise<void> => {
    await standIn?.stop();
    await moto.stop();
    rmSync(scratch, { recursive: true, force: true });
    for (const key of ENV_KEYS) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
    resetClients();
  };
  try {
    standIn = await startStandIn({
      motoEndpoint: moto.endpoint,
      publicParameters: seed.publicParameters,
      workspaceRoot,
      ...(options.host ? { host: options.host } : {}),
      ...(options.faults ? { faults: options.faults } : {}),
    });
    await seedAccount(moto.endpoint, region);
  } catch (error) {
    await stop();
    throw error;
  }
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: standIn.endpoint,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_REGION: region,
    GPU_DEPLOY_INSTANCE_PROFILE: LOCAL_INSTANCE_PROFILE,
  });
  resetClients();
  const ec2 = new EC2Client({ region, endpoint: moto.endpoint, credentials: LOCAL_CREDENTIALS });
  const liveInstances = async (): Promise<string[]> => {
    const out = await ec2.send(new DescribeInstancesCommand({}));
    return (out.Reservations ?? [])
      .flatMap((r) => r.Instances ?? [])
      .filter((i) => i.State?.Name !== 'terminated')
      .map((i) => i.InstanceId ?? '');
  };
  return { endpoint: standIn.endpoint, moto, standIn, region, liveInstances, stop };
}
