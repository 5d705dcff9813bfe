/**
 * The workspace stage in a scratch root: stub mount, findmnt and package managers, and AWS's efs-utils installer as
 * the curl stub downloads it. For Ubuntu and Amazon Linux: how amazon-efs-utils gets installed, the mount command
 * and its options, the fstab line, the retries while the mount target is not ready, and a mount that never comes
 * up failing the stage by name.
 */
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { renderUserData } from '../../../lib/userdata/index.js';
import { EFS_NFS_OPTIONS, EFS_UTILS_INSTALLER_URL, WORKSPACE_MOUNT_PAUSE_SECONDS, WORKSPACE_MOUNT_TRIES } from '../../../lib/userdata/stages/workspace.js';
import type { OsType } from '../../../lib/types.js';
import { APT_INSTALL, baseOptions } from './fixtures.js';
import { makeSandbox, removeScratch, runInSandbox, type RunResult } from './sandbox.js';

afterAll(removeScratch);

const FS = 'fs-0123456789abcdef0';
const WORKSPACE = { fileSystemId: FS, region: 'eu-west-1' };
const DNS = `${FS}.efs.eu-west-1.amazonaws.com`;

interface Run extends RunResult {
  root: string;
  fstab: string;
  recorded: Record<string, unknown> | undefined;
}

function run(osType: OsType, env: Record<string, string> = {}, absent: string[] = ['mount.efs', 'mount.nfs4']): Run {
  const sandbox = makeSandbox(absent);
  const result = runInSandbox(renderUserData(baseOptions({ osType, workspace: WORKSPACE })), sandbox, env);
  const fstabPath = join(sandbox.root, 'etc/fstab');
  const recordPath = join(sandbox.stateDir, 'workspace.json');
  return {
    ...result,
    root: sandbox.root,
    fstab: existsSync(fstabPath) ? readFileSync(fstabPath, 'utf8') : '',
    recorded: existsSync(recordPath) ? (JSON.parse(readFileSync(recordPath, 'utf8')) as Record<string, unknown>) : undefined,
  };
}

const mounts = (calls: string[]): string[] => calls.filter((c) => c.startsWith('mount '));

describe('Ubuntu: amazon-efs-utils through AWS installer, then a TLS mount', () => {
  test.each(['ubuntu-22.04', 'ubuntu-24.04'] as const)('%s: installer, mount -t efs -o tls, fstab with _netdev,nofail, ~/workspace, Ollama models on it', (osType) => {
    // Act
    const result = run(osType);
    // Assess
    expect(result.status).toBe(0);
    expect(result.calls).toContain(`curl -fsSL -o ${result.root}/state/downloads/efs-utils-installer.sh ${EFS_UTILS_INSTALLER_URL}`);
    expect(result.calls).toContain('efs-utils-installer.sh --install');
    expect(mounts(result.calls)).toEqual([`mount -t efs -o tls ${FS}:/ ${result.root}/workspace`]);
    expect(result.fstab).toBe(`${FS}:/ /workspace efs _netdev,nofail,tls 0 0\n`);
    expect(result.calls).toContain(`chown ubuntu:ubuntu ${result.root}/workspace`);
    expect(readlinkSync(join(result.root, 'home/ubuntu/workspace'))).toBe('/workspace');
    expect(existsSync(join(result.root, 'workspace/ollama'))).toBe(true);
    expect(result.recorded).toEqual({ fileSystemId: FS, transit: 'tls', path: '/workspace' });
    expect(result.setupLog).toContain(`stage workspace: succeeded`);
    const ollama = result.calls.find((c) => c.startsWith('docker run -d --name ollama')) ?? '';
    expect(ollama).toContain('-e OLLAMA_MODELS=/workspace/ollama -e OLLAMA_LOAD_TIMEOUT=15m');
    expect(ollama).toContain(`-v ${result.root}/workspace/ollama:/workspace/ollama -v ollama:/root/.ollama`);
  });

  test('the installer failing: plain NFS 4.1 with AWS options (nfs-common installed), and the setup log says it is not encrypted', () => {
    // Act
    const result = run('ubuntu-22.04', { STUB_NO_EFS_UTILS: '1' });
    // Assess
    expect(result.status).toBe(0);
    expect(result.calls.filter((c) => c === 'efs-utils-installer.sh --install')).toHaveLength(3);
    expect(result.calls).toContain(`${APT_INSTALL} nfs-common`);
    expect(mounts(result.calls)).toEqual([`mount -t nfs4 -o ${EFS_NFS_OPTIONS} ${DNS}:/ ${result.root}/workspace`]);
    expect(EFS_NFS_OPTIONS).toBe('nfsvers=4.1,rsize=1048576,wsize=1048576,hard,timeo=600,retrans=2,noresvport');
    expect(result.fstab).toBe(`${DNS}:/ /workspace nfs4 ${EFS_NFS_OPTIONS},_netdev,nofail 0 0\n`);
    expect(result.setupLog).toContain('mounting with plain NFS 4.1 (not encrypted in transit)');
    expect(result.recorded).toMatchObject({ transit: 'plain' });
  });
});

describe('Amazon Linux: amazon-efs-utils from the OS repositories', () => {
  test.each([
    ['amazon-linux-2023', 'dnf -y -q install amazon-efs-utils'],
    ['amazon-linux-2', 'yum -y -q install amazon-efs-utils'],
  ] as const)('%s: %s, then the TLS mount, ec2-user owns it', (osType, install) => {
    // Act
    const result = run(osType);
    // Assess
    expect(result.status).toBe(0);
    expect(result.calls).toContain(install);
    expect(result.calls.some((c) => c.includes('efs-utils-installer'))).toBe(false);
    expect(mounts(result.calls)).toEqual([`mount -t efs -o tls ${FS}:/ ${result.root}/workspace`]);
    expect(result.fstab).toBe(`${FS}:/ /workspace efs _netdev,nofail,tls 0 0\n`);
    expect(result.calls).toContain(`chown ec2-user:ec2-user ${result.root}/workspace`);
  });

  test('a mount helper already there is used as it is: nothing installed', () => {
    const result = run('amazon-linux-2023', {}, ['mount.nfs4']);
    expect(result.status).toBe(0);
    expect(result.calls.filter((c) => c.includes('amazon-efs-utils'))).toEqual([]);
    expect(mounts(result.calls)).toHaveLength(1);
  });
});

describe('the mount target is not ready yet, or never', () => {
  test('failed mounts are retried every 15 s until one succeeds; the fstab line is written once', () => {
    // Act: the first four mounts fail (DNS name not resolvable yet), the fifth works.
    const result = run('ubuntu-22.04', { STUB_MOUNT_FAILS: '4' });
    // Assess
    expect(result.status).toBe(0);
    expect(mounts(result.calls)).toHaveLength(5);
    expect(result.calls.filter((c) => c === `sleep ${WORKSPACE_MOUNT_PAUSE_SECONDS}`)).toHaveLength(4);
    expect(result.setupLog).toContain(`mount 4 of ${WORKSPACE_MOUNT_TRIES} failed (the mount target or its DNS name may not be ready yet); retrying in 15s`);
    expect(result.fstab.split('\n').filter(Boolean)).toHaveLength(1);
  });

  test('a mount that never comes up fails the workspace stage by name, after the bound, and Ollama never starts', () => {
    // Act
    const result = run('amazon-linux-2023', { STUB_MOUNT_NEVER: '1' });
    // Assess
    expect(result.status).toBe(1);
    expect(mounts(result.calls)).toHaveLength(WORKSPACE_MOUNT_TRIES);
    expect(result.statusFile).toMatchObject({
      stage: 'workspace',
      outcome: 'failed',
      message: `workspace ${FS} did not mount at /workspace within ${WORKSPACE_MOUNT_TRIES * WORKSPACE_MOUNT_PAUSE_SECONDS} s (tls): is the mount target of this zone available, and TCP 2049 open from the client group?`,
    });
    expect(result.calls.some((c) => c.startsWith('docker run -d --name ollama'))).toBe(false);
    expect(result.recorded).toBeUndefined();
  });

  test('an instance that already has it mounted (the stage run again) mounts nothing twice', () => {
    // Prepare: the first run mounts; the second finds it mounted through findmnt.
    const sandbox = makeSandbox(['mount.efs', 'mount.nfs4']);
    const script = renderUserData(baseOptions({ osType: 'amazon-linux-2023', workspace: WORKSPACE }));
    runInSandbox(script, sandbox);
    // Act
    const again = runInSandbox(script, sandbox);
    // Assess
    expect(again.status).toBe(0);
    expect(mounts(again.calls)).toHaveLength(1);
    expect(readFileSync(join(sandbox.root, 'etc/fstab'), 'utf8').split('\n').filter(Boolean)).toHaveLength(1);
  });
});
