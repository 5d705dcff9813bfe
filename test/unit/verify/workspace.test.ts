/**
 * The health check's workspace: the real script against the simulated host (its mount a directory, findmnt the
 * fake one), and the findings for what real hosts show: a TLS mount through efs-utils' local proxy, a plain NFS
 * mount, stacked mounts, the wrong file system, no findmnt, a write that does not read back.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fakeHostEnv } from '../../../lib/verify/fake-host.js';
import { buildHealthReport, parseHealthCheckOutput } from '../../../lib/verify/report.js';
import { runHealthCheckLocally } from '../../../lib/verify/run-local.js';
import { workspaceFindings } from '../../../lib/verify/workspace-findings.js';
import { makeRaw } from './helpers.js';

const FS = 'fs-0123456789abcdef0';
const EXPECTED = { gpuModel: 'A10G', gpuCount: 1, workspace: { fileSystemId: FS } };
let scratch: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'gpu-deploy-ws-health-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the real script on the simulated host', () => {
  test('reports the workspace: checked, mounted, path, file system (from the set-up record: a TLS mount shows the local proxy), transit, writable; leaves nothing behind', async () => {
    // Prepare: the set-up's status and its record of the mount, beside each other as on an instance.
    const mount = join(scratch, 'workspace');
    mkdirSync(join(mount, 'ollama'), { recursive: true });
    const statusFile = join(scratch, 'status.json');
    writeFileSync(statusFile, JSON.stringify({ stage: 'complete', outcome: 'succeeded', message: 'done' }));
    writeFileSync(join(scratch, 'workspace.json'), JSON.stringify({ fileSystemId: FS, transit: 'tls', path: '/workspace' }));
    // Act
    const run = await runHealthCheckLocally({ env: fakeHostEnv({ statusFile, workspaceDir: mount }) });
    const report = buildHealthReport(parseHealthCheckOutput(run.stdout), EXPECTED);
    // Assess
    expect(report.workspace).toEqual({ checked: true, mounted: true, path: mount, fileSystemId: FS, transit: 'tls', writable: true });
    expect(report.healthy).toBe(true);
    expect(readdirSync(mount)).toEqual(['ollama']);
  });

  test('nothing mounted at the path: reported unmounted; a deployment that asked for the workspace fails by WORKSPACE_NOT_MOUNTED, one without is healthy', async () => {
    const run = await runHealthCheckLocally({ env: { ...fakeHostEnv({}), GPU_DEPLOY_WORKSPACE_PATH: join(scratch, 'nowhere') } });
    const raw = parseHealthCheckOutput(run.stdout);
    expect(buildHealthReport(raw, EXPECTED)).toMatchObject({
      healthy: false,
      workspace: { checked: true, mounted: false, path: join(scratch, 'nowhere'), fileSystemId: null, transit: null, writable: null },
      failures: [{ code: 'WORKSPACE_NOT_MOUNTED', check: 'workspace', message: `the workspace ${FS} is not mounted at ${join(scratch, 'nowhere')} (see the workspace stage in /var/log/gpu-deploy/setup.log)` }],
    });
    expect(buildHealthReport(raw, { gpuModel: 'A10G', gpuCount: 1 }).healthy).toBe(true);
  });
});

describe('workspace findings', () => {
  const mounted = (line: string, extra: Parameters<typeof makeRaw>[0] = {}) =>
    makeRaw({ workspaceMount: { stdout: `${line}\n` }, workspaceWrite: { exitCode: 0 }, workspaceSetup: { exitCode: 1 }, ...extra });

  test('a plain NFS mount names its file system in the source: transit plain, no record needed', () => {
    const { status, failures } = workspaceFindings(mounted(`${FS}.efs.eu-west-1.amazonaws.com:/ nfs4 rw,vers=4.1,hard,noresvport`), { fileSystemId: FS });
    expect(status).toEqual({ checked: true, mounted: true, path: '/workspace', fileSystemId: FS, transit: 'plain', writable: true });
    expect(failures).toEqual([]);
  });

  test('stacked mounts: the one on top counts', () => {
    const raw = mounted(`/dev/nvme0n1p1 ext4 rw\n${FS}.efs.us-east-1.amazonaws.com:/ nfs4 rw`);
    expect(workspaceFindings(raw, { fileSystemId: FS }).status).toMatchObject({ mounted: true, fileSystemId: FS, transit: 'plain' });
  });

  test('another file system, or not EFS at all, at the path: WORKSPACE_NOT_MOUNTED naming what is there', () => {
    expect(workspaceFindings(mounted('fs-99999999.efs.us-east-1.amazonaws.com:/ nfs4 rw'), { fileSystemId: FS }).failures).toEqual([
      { code: 'WORKSPACE_NOT_MOUNTED', check: 'workspace', message: `/workspace holds nfs4 from fs-99999999.efs.us-east-1.amazonaws.com:/ (fs-99999999), not the workspace ${FS}` },
    ]);
    const tmpfs = workspaceFindings(mounted('tmpfs tmpfs rw', { workspaceSetup: { stdout: JSON.stringify({ fileSystemId: FS, transit: 'tls' }) } }), { fileSystemId: FS });
    expect(tmpfs.failures).toEqual([{ code: 'WORKSPACE_NOT_MOUNTED', check: 'workspace', message: `/workspace holds tmpfs from tmpfs (${FS}), not the workspace ${FS}` }]);
  });

  test('a write that does not read back: WORKSPACE_NOT_WRITABLE with the probe\'s own words', () => {
    const raw = mounted(`127.0.0.1:/ nfs4 rw,port=20049`, {
      workspaceSetup: { stdout: JSON.stringify({ fileSystemId: FS, transit: 'tls' }) },
      workspaceWrite: { exitCode: 1, stderr: 'cp: cannot create regular file: Read-only file system' },
    });
    expect(workspaceFindings(raw, { fileSystemId: FS })).toEqual({
      status: { checked: true, mounted: true, path: '/workspace', fileSystemId: FS, transit: 'tls', writable: false },
      failures: [{ code: 'WORKSPACE_NOT_WRITABLE', check: 'workspace', message: 'a test write to /workspace did not read back: cp: cannot create regular file: Read-only file system' }],
    });
  });

  test('no findmnt on the host: not checked, and a requested workspace cannot be confirmed', () => {
    const raw = makeRaw({ workspaceMount: { skipped: 'findmnt is not on PATH' }, workspaceWrite: { skipped: 'findmnt is not on PATH' } });
    expect(workspaceFindings(raw).status).toMatchObject({ checked: false, mounted: false });
    expect(workspaceFindings(raw, { fileSystemId: FS }).failures[0]).toMatchObject({ code: 'WORKSPACE_NOT_MOUNTED', message: expect.stringContaining('findmnt (util-linux) is not on PATH') });
  });

  test('a set-up record that is not JSON, or names no file system, is ignored', () => {
    const raw = mounted('127.0.0.1:/ nfs4 rw', { workspaceSetup: { stdout: '{"fileSystemId":"x; reboot"' } });
    expect(workspaceFindings(raw).status).toMatchObject({ fileSystemId: null, transit: 'tls' });
    const bad = mounted('127.0.0.1:/ nfs4 rw', { workspaceSetup: { stdout: '{"fileSystemId":"not-an-id","transit":"quantum"}' } });
    expect(workspaceFindings(bad).status).toMatchObject({ fileSystemId: null, transit: 'tls' });
  });
});
