import { GetCommandInvocationCommand, SendCommandCommand, SSMClient, type CommandInvocationStatus } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GpuVerificationFailedError, VerificationTimeoutError } from '../../../lib/errors.js';
import { sendHealthCheckStep } from '../../../lib/steps/send-health-check.js';
import { getHealthCheckStep } from '../../../lib/steps/verify-gpu.js';
import { fakeHostEnv } from '../../../lib/verify/fake-host.js';
import { runHealthCheckLocally } from '../../../lib/verify/run-local.js';
import { after, launchedDoc, verifyingDoc } from './fixtures.js';

const ssmMock = mockClient(SSMClient);
const ssm = new SSMClient({ region: 'us-east-1' });

// Realistic stdout: the real health-check script run against the simulated A10G host.
let healthyStdout = '';
let noDriverStdout = '';
let settingUpStdout = '';
let noStatusStdout = '';
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'verify-step-'));
  const complete = join(dir, 'complete.json');
  const running = join(dir, 'running.json');
  writeFileSync(complete, JSON.stringify({ stage: 'complete', outcome: 'succeeded', message: 'done', updatedAt: '2025-06-01T12:00:00Z' }));
  writeFileSync(running, JSON.stringify({ stage: 'docker', outcome: 'running', message: 'configuring', updatedAt: '2025-06-01T12:00:00Z' }));
  const [healthy, noDriver, settingUp, noStatus] = await Promise.all([
    runHealthCheckLocally({ env: fakeHostEnv({ gpuModel: 'NVIDIA A10G', statusFile: complete }) }),
    runHealthCheckLocally({ env: fakeHostEnv({ gpuModel: 'NVIDIA A10G', fault: 'no-driver', statusFile: complete }) }),
    runHealthCheckLocally({ env: fakeHostEnv({ gpuModel: 'NVIDIA A10G', fault: 'ollama-down', statusFile: running }) }),
    runHealthCheckLocally({ env: fakeHostEnv({ gpuModel: 'NVIDIA A10G', fault: 'no-driver' }) }),
  ]);
  healthyStdout = healthy.stdout;
  noDriverStdout = noDriver.stdout;
  settingUpStdout = settingUp.stdout;
  noStatusStdout = noStatus.stdout;
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => ssmMock.reset());

const finished = (stdout: string, Status: CommandInvocationStatus = 'Success', ResponseCode = 0): void => {
  ssmMock.on(GetCommandInvocationCommand).resolves({ Status, StatusDetails: Status, ResponseCode, StandardOutputContent: stdout, StandardErrorContent: '' });
};

describe('sendHealthCheckStep', () => {
  test('a re-send keeps the time of the first send', async () => {
    ssmMock.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-2' } });
    const doc = { ...launchedDoc(), verify: { commandId: 'cmd-1', sentAt: '2025-06-01T12:05:00.000Z', firstSentAt: '2025-06-01T12:01:00.000Z' } };
    const sent = await sendHealthCheckStep(doc, ssm);
    expect(sent).toMatchObject({ commandId: 'cmd-2', firstSentAt: '2025-06-01T12:01:00.000Z' });
  });

  test('sends the health-check script over AWS-RunShellScript to the instance', async () => {
    // Prepare
    ssmMock.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-9' } });
    // Act
    const sent = await sendHealthCheckStep(launchedDoc(), ssm);
    // Assess
    expect(sent.commandId).toBe('cmd-9');
    const input = ssmMock.commandCalls(SendCommandCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      InstanceIds: ['i-0123456789abcdef0'],
      DocumentName: 'AWS-RunShellScript',
      Comment: 'gpu-deploy health check dep-1',
      TimeoutSeconds: 300,
    });
    expect(input?.Parameters?.executionTimeout).toEqual(['300']);
    const commands = input?.Parameters?.commands ?? [];
    expect(commands.join('\n')).toContain('nvidia-smi');
    expect(commands).toContain('bash "$script"; status=$?');
    expect(commands).not.toContain('bash "$script" --skip-ollama; status=$?');
  });

  test('ollama disabled → --skip-ollama', async () => {
    // Prepare
    ssmMock.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-9' } });
    // Act
    await sendHealthCheckStep(launchedDoc({ ollama: { enabled: false } }), ssm);
    // Assess
    const commands = ssmMock.commandCalls(SendCommandCommand)[0]?.args[0].input.Parameters?.commands ?? [];
    expect(commands).toContain('bash "$script" --skip-ollama; status=$?');
  });
});

describe('getHealthCheckStep', () => {
  test('pending before the deadline: status pending, the rest kept', async () => {
    // Prepare
    ssmMock.on(GetCommandInvocationCommand).resolves({ Status: 'InProgress' });
    // Act
    const state = await getHealthCheckStep(verifyingDoc({ timeouts: { verifySeconds: 900 } }), ssm, after(900));
    // Assess
    expect(state).toEqual({ commandId: 'cmd-1', sentAt: '2025-06-01T12:00:00.000Z', status: 'pending' });
    expect(ssmMock.commandCalls(GetCommandInvocationCommand)[0]?.args[0].input).toEqual({ CommandId: 'cmd-1', InstanceId: 'i-0123456789abcdef0' });
  });

  test('the clock defaults to now: a command sent moments ago is still pending', async () => {
    // Prepare
    ssmMock.on(GetCommandInvocationCommand).resolves({ Status: 'Pending' });
    // Act
    const state = await getHealthCheckStep(verifyingDoc({}, { sentAt: new Date().toISOString() }), ssm);
    // Assess
    expect(state.status).toBe('pending');
  });

  test('pending past the deadline → VerificationTimeoutError', async () => {
    // Prepare
    ssmMock.on(GetCommandInvocationCommand).resolves({ Status: 'Pending' });
    // Act
    const failure = getHealthCheckStep(verifyingDoc({ timeouts: { verifySeconds: 900 } }), ssm, after(901));
    // Assess
    await expect(failure).rejects.toBeInstanceOf(VerificationTimeoutError);
    await expect(failure).rejects.toThrow('The GPU health check did not finish within 900s (Pending)');
  });

  test('a standard AMI (driver built on the instance) raises the default deadline to 2400s; a set deadline stays', async () => {
    // Prepare
    ssmMock.on(GetCommandInvocationCommand).resolves({ Status: 'Pending' });
    const standard = { ...verifyingDoc(), ami: { ...verifyingDoc().ami, needsDriver: true } };
    const pinned = verifyingDoc({ timeouts: { verifySeconds: 1000 } });
    // Act + Assess
    expect((await getHealthCheckStep(standard, ssm, after(2400))).status).toBe('pending');
    await expect(getHealthCheckStep(standard, ssm, after(2401))).rejects.toThrow('The GPU health check did not finish within 2400s (Pending)');
    await expect(getHealthCheckStep({ ...pinned, ami: { ...pinned.ami, needsDriver: true } }, ssm, after(1001))).rejects.toThrow('within 1000s');
  });

  test('finished with no output → GpuVerificationFailedError with the status, exit code and stderr', async () => {
    // Prepare
    ssmMock.on(GetCommandInvocationCommand).resolves({
      Status: 'Failed',
      StatusDetails: 'Failed',
      ResponseCode: 127,
      StandardOutputContent: '  \n',
      StandardErrorContent: 'bash: line 1: mktemp: command not found',
    });
    // Act
    const failure = getHealthCheckStep(verifyingDoc(), ssm, after(10));
    // Assess
    await expect(failure).rejects.toBeInstanceOf(GpuVerificationFailedError);
    await expect(failure).rejects.toThrow('The health check produced no output (Failed, exit 127): bash: line 1: mktemp: command not found');
  });

  test('set-up still running (status file says running) → resend, not a failure, with the stage', async () => {
    finished(settingUpStdout);
    const state = await getHealthCheckStep(verifyingDoc(), ssm, after(10));
    expect(state).toMatchObject({ status: 'resend', setupStage: 'docker', commandId: 'cmd-1' });
  });

  test('no status file yet (UserData not started) → resend', async () => {
    finished(noStatusStdout, 'Failed', 1);
    const state = await getHealthCheckStep(verifyingDoc(), ssm, after(10));
    expect(state).toMatchObject({ status: 'resend', setupStage: 'not started' });
  });

  test('set-up still running past the verify deadline (counted from the first send) → VerificationTimeoutError', async () => {
    finished(settingUpStdout);
    const doc = verifyingDoc();
    const failure = getHealthCheckStep({ ...doc, verify: { ...doc.verify, firstSentAt: new Date(Date.parse(doc.verify.sentAt) - 10_000_000).toISOString() } }, ssm, after(10));
    await expect(failure).rejects.toBeInstanceOf(VerificationTimeoutError);
    await expect(failure).rejects.toThrow(/set-up was still running \(stage docker\)/);
  });

  test('healthy report → done with the report', async () => {
    // Prepare
    finished(healthyStdout);
    // Act
    const state = await getHealthCheckStep(verifyingDoc(), ssm, after(10));
    // Assess
    expect(state.status).toBe('done');
    expect(state.commandId).toBe('cmd-1');
    expect(state.report).toMatchObject({ healthy: true, failures: [], gpus: [{ name: 'NVIDIA A10G' }] });
  });

  test('a driver that is not loaded → GpuVerificationFailedError with the failure codes in the message', async () => {
    // Prepare
    finished(noDriverStdout, 'Failed', 1);
    // Act
    const failure = getHealthCheckStep(verifyingDoc(), ssm, after(10));
    // Assess
    await expect(failure).rejects.toBeInstanceOf(GpuVerificationFailedError);
    await expect(failure).rejects.toThrow(/DRIVER_NOT_LOADED: /);
    await expect(failure).rejects.toMatchObject({
      hint: expect.stringContaining('rolled back'),
      details: { failures: expect.arrayContaining([expect.objectContaining({ code: 'DRIVER_NOT_LOADED' })]) },
    });
  });

  test('fewer GPUs than the type promises → GpuVerificationFailedError (GPU_MISMATCH)', async () => {
    // Prepare
    finished(healthyStdout);
    const doc = verifyingDoc();
    doc.instanceType = { ...doc.instanceType, gpu: { ...doc.instanceType.gpu, count: 4 } };
    // Act + Assess
    await expect(getHealthCheckStep(doc, ssm, after(10))).rejects.toThrow(/^GPU_MISMATCH: expected 4 x A10G, found 1 x NVIDIA A10G/);
  });
});
