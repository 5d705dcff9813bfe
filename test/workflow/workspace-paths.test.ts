/**
 * The workspace's branch of the real deploy ASL under the real interpreter, with stub Lambdas: EnsureWorkspace
 * repeated until the file system is ready, then Launch; CheckMountTarget repeated while the launch zone's mount
 * target is still creating, while the instance boots; and where each of their failures leads.
 */
import { WorkspaceMountTargetTimeoutError, WorkspaceNetworkError, WorkspaceUnavailableError } from '../../lib/errors.js';
import { readDefinition } from '../../lib/workflow/definition.js';
import { DEPLOYMENT_ID, OUTPUTS, REQUEST, invocationCounts, runWithStubs, type FunctionName, type Step } from './stubs.js';

const definition = readDefinition();
const WITH_WORKSPACE = { definition, input: { ...REQUEST, workspace: { name: 'ws1' } } };
const run = (overrides: Partial<Record<FunctionName, Step[]>>) => runWithStubs(overrides, undefined, WITH_WORKSPACE);

const notReady = { ...OUTPUTS.workspace, fileSystemState: 'creating', ready: false, mountTargets: {}, waitingFor: 'the file system is being created' };
const creating = { zone: 'eu-west-1a', mountTargetId: 'fsmt-0abc1234', state: 'creating', available: false };
const available = { ...creating, state: 'available', available: true };
const mounted = { name: 'ws1', fileSystemId: 'fs-0abc1234', path: '/workspace', mounted: true, transit: 'tls', writable: true };

describe('deploy state machine with a workspace', () => {
  test('EnsureWorkspace waits for the file system, Launch follows, CheckMountTarget waits for the mount target while the instance boots; the result names the workspace', async () => {
    // Act
    const result = await run({
      ensureWorkspace: [notReady, notReady, OUTPUTS.workspace],
      checkMountTarget: [creating, creating, available],
      getGpuReport: [{ commandId: 'cmd-1', sentAt: '2025-01-01T00:00:00.000Z', status: 'done', report: OUTPUTS.report, workspace: mounted }],
    });
    // Assess
    expect(result.result.status).toBe('SUCCEEDED');
    expect(result.entered).toEqual([
      'ValidateRequest', 'ResolveAmi', 'PlanCapacity', 'WantsWorkspace',
      'EnsureWorkspace', 'IsWorkspaceReady', 'WaitForWorkspace',
      'EnsureWorkspace', 'IsWorkspaceReady', 'WaitForWorkspace',
      'EnsureWorkspace', 'IsWorkspaceReady', 'Launch',
      'WaitUntilRunning', 'CheckRunning', 'IsRunning',
      'CheckMountTarget', 'IsMountTargetAvailable', 'WaitForMountTarget',
      'CheckMountTarget', 'IsMountTargetAvailable', 'WaitForMountTarget',
      'CheckMountTarget', 'IsMountTargetAvailable',
      'WaitUntilManaged', 'CheckManaged', 'IsManaged', 'VerifyGpu', 'WaitForGpuReport', 'GetGpuReport', 'IsVerified',
      'DeploymentSucceeded', 'ScheduleTeardown', 'NotifySucceeded', 'Succeeded',
    ]);
    expect(invocationCounts(result.calls)).toMatchObject({ ensureWorkspace: 3, launch: 1, checkMountTarget: 3, rollback: 0 });
    // Each pass sees its previous result (the wait's origin); Launch and the checks see the workspace.
    expect(result.calls.ensureWorkspace[0]).not.toHaveProperty('workspace');
    expect(result.calls.ensureWorkspace[1]).toMatchObject({ workspace: { ready: false, since: OUTPUTS.workspace.since } });
    expect(result.calls.launch[0]).toMatchObject({ deploymentId: DEPLOYMENT_ID, workspace: { ready: true, clientGroupId: 'sg-client' } });
    expect(result.calls.checkMountTarget[0]).toMatchObject({ launch: { zone: 'eu-west-1a' }, workspace: { fileSystemId: 'fs-0abc1234' } });
    expect(result.calls.getGpuReport[0]).toMatchObject({ workspace: { fileSystemId: 'fs-0abc1234' }, mountTarget: available });
    expect(result.result.output).toMatchObject({ status: 'SUCCEEDED', workspace: mounted });
  });

  test.each([
    [new WorkspaceNetworkError('VPC vpc-1 has enableDnsHostnames off'), 'NotifyRejected', 'RequestRejected'],
    [new WorkspaceUnavailableError('Workspace ws1 (fs-1) is deleting'), 'NotifyPlanningFailed', 'PlanningFailed'],
  ])('EnsureWorkspace failing with %p ends in %s: nothing launched, nothing to roll back', async (error, notify, terminal) => {
    const result = await run({ ensureWorkspace: [error] });
    expect(result.result).toMatchObject({ status: 'FAILED', error: error.name, cause: error.message });
    expect(result.entered.slice(-3)).toEqual(['EnsureWorkspace', notify, terminal]);
    expect(result.calls.launch).toHaveLength(0);
    expect(result.calls.rollback).toHaveLength(0);
  });

  test('a mount target that stays creating past its bound fails by name and is rolled back', async () => {
    // Prepare
    const timeout = new WorkspaceMountTargetTimeoutError('Mount target fsmt-0abc1234 in eu-west-1a was still creating after 1201s');
    // Act
    const result = await run({ checkMountTarget: [creating, timeout] });
    // Assess
    expect(result.result).toMatchObject({ status: 'FAILED', error: 'WorkspaceMountTargetTimeoutError', cause: timeout.message });
    expect(result.entered.slice(-8)).toEqual([
      'CheckMountTarget', 'IsMountTargetAvailable', 'WaitForMountTarget', 'CheckMountTarget', 'Rollback', 'IsRolledBack', 'NotifyFailed', 'DeploymentFailed',
    ]);
    expect(result.calls.rollback).toHaveLength(1);
    expect(result.calls.checkManaged).toHaveLength(0);
  });
});
