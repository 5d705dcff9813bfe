/**
 * SSM Run Command as a real account answers it (issue 14, point 6): SendCommand's InvalidInstanceId while the
 * agent re-registers, and `Cancelling`, which is not a final invocation status. SDK error shapes as SSM sends them.
 */
import { GetCommandInvocationCommand, InvalidInstanceId, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { VerificationTimeoutError } from '../../../lib/errors.js';
import { getInvocation, isAgentReregistering } from '../../../lib/ssm/command.js';
import { sendHealthCheckStep } from '../../../lib/steps/send-health-check.js';
import { getHealthCheckStep } from '../../../lib/steps/verify-gpu.js';
import { after, launchedDoc, LAUNCHED_AT, verifyingDoc } from './fixtures.js';

const ssmMock = mockClient(SSMClient);
const ssm = new SSMClient({ region: 'us-east-1' });
const invalidInstance = (): InvalidInstanceId =>
  new InvalidInstanceId({ $metadata: { httpStatusCode: 400 }, message: 'Instances [[i-0123456789abcdef0]] not in a valid state for account 123456789012' });

beforeEach(() => ssmMock.reset());

describe('SendCommand answers InvalidInstanceId (the agent re-registers)', () => {
  test('the first send: nothing sent, state `resend` with the reason, and the deadline starts now', async () => {
    // Prepare
    ssmMock.on(SendCommandCommand).rejects(invalidInstance());
    const now = after(300);
    // Act
    const state = await sendHealthCheckStep(launchedDoc(), ssm, now);
    // Assess
    expect(state).toEqual({
      commandId: '',
      sentAt: now.toISOString(),
      firstSentAt: now.toISOString(),
      status: 'resend',
      notSent: 'InvalidInstanceId',
      setupStage: 'SSM agent re-registering',
    });
  });

  test('GetGpuReport does not ask SSM about a command that was not sent: it asks for a resend', async () => {
    // Act
    const state = await getHealthCheckStep(verifyingDoc({}, { commandId: '', notSent: 'InvalidInstanceId', status: 'resend' }), ssm, after(310));
    // Assess
    expect(state.status).toBe('resend');
    expect(ssmMock.calls()).toHaveLength(0);
  });

  test('a later send that works clears the reason and keeps the first send\'s time', async () => {
    // Prepare
    ssmMock.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-2' } });
    const doc = { ...launchedDoc(), verify: { commandId: '', sentAt: LAUNCHED_AT, firstSentAt: LAUNCHED_AT, status: 'resend' as const, notSent: 'InvalidInstanceId' } };
    // Act
    const state = await sendHealthCheckStep(doc, ssm, after(30));
    // Assess
    expect(state).toEqual({ commandId: 'cmd-2', sentAt: expect.any(String), firstSentAt: LAUNCHED_AT });
  });

  test('still refused at the verify deadline → VerificationTimeoutError that names the code', async () => {
    // Prepare
    ssmMock.on(SendCommandCommand).rejects(invalidInstance());
    const doc = { ...launchedDoc(), verify: { commandId: '', sentAt: LAUNCHED_AT, firstSentAt: LAUNCHED_AT, notSent: 'InvalidInstanceId' } };
    // Act + Assess
    await expect(sendHealthCheckStep(doc, ssm, after(901))).rejects.toMatchObject({
      name: 'VerificationTimeoutError',
      message: expect.stringContaining('InvalidInstanceId'),
      details: { code: 'InvalidInstanceId' },
    });
    await expect(sendHealthCheckStep(doc, ssm, after(901))).rejects.toBeInstanceOf(VerificationTimeoutError);
  });

  test('other SendCommand errors still fail at once, by name', async () => {
    ssmMock.on(SendCommandCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }));
    await expect(sendHealthCheckStep(launchedDoc(), ssm, after(10))).rejects.toMatchObject({ name: 'AwsAccessDeniedError' });
  });

  test('isAgentReregistering knows the raw SDK error and its converted form', () => {
    expect(isAgentReregistering(invalidInstance())).toBe(true);
    expect(isAgentReregistering(Object.assign(new Error('x'), { name: 'InvalidDocument' }))).toBe(false);
    expect(isAgentReregistering(null)).toBe(false);
  });
});

describe('GetCommandInvocation statuses', () => {
  test('Cancelling is not final: the invocation is still pending', async () => {
    ssmMock.on(GetCommandInvocationCommand).resolves({ Status: 'Cancelling', StatusDetails: 'Cancelling', ResponseCode: -1 });
    await expect(getInvocation(ssm, 'cmd-1', 'i-1')).resolves.toEqual({ status: 'pending', detail: 'Cancelling' });
  });

  test.each(['Cancelled', 'TimedOut', 'Failed'] as const)('%s is final (not ok)', async (Status) => {
    ssmMock.on(GetCommandInvocationCommand).resolves({ Status, StatusDetails: Status, ResponseCode: 1, StandardOutputContent: '', StandardErrorContent: 'x' });
    await expect(getInvocation(ssm, 'cmd-1', 'i-1')).resolves.toMatchObject({ status: 'done', ok: false });
  });
});
