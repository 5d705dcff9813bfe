import {
  GetCommandInvocationCommand,
  InvocationDoesNotExist,
  SendCommandCommand,
  SSMClient,
  type CommandInvocationStatus,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsThrottlingError } from '../../../lib/errors.js';
import { getInvocation, sendShellCommand } from '../../../lib/ssm/command.js';

const ssmMock = mockClient(SSMClient);
const ssm = new SSMClient({ region: 'us-east-1' });

beforeEach(() => ssmMock.reset());

describe('sendShellCommand', () => {
  test('AWS-RunShellScript on the one instance, with commands and executionTimeout', async () => {
    // Prepare
    ssmMock.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-1' } });
    const before = Date.now();
    // Act
    const sent = await sendShellCommand(ssm, 'i-1', ['nvidia-smi', 'echo ok'], { timeoutSeconds: 300, comment: 'gpu-deploy health check dep-1' });
    // Assess
    expect(sent.commandId).toBe('cmd-1');
    expect(Date.parse(sent.sentAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(ssmMock.commandCalls(SendCommandCommand)[0]?.args[0].input).toEqual({
      InstanceIds: ['i-1'],
      DocumentName: 'AWS-RunShellScript',
      Comment: 'gpu-deploy health check dep-1',
      TimeoutSeconds: 300,
      Parameters: { commands: ['nvidia-smi', 'echo ok'], executionTimeout: ['300'] },
    });
  });

  test('the delivery timeout is at least 30 s (the API minimum) and the comment at most 100 characters', async () => {
    // Prepare
    ssmMock.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-1' } });
    // Act
    await sendShellCommand(ssm, 'i-1', ['true'], { timeoutSeconds: 5, comment: 'c'.repeat(150) });
    // Assess
    const input = ssmMock.commandCalls(SendCommandCommand)[0]?.args[0].input;
    expect(input?.TimeoutSeconds).toBe(30);
    expect(input?.Parameters?.executionTimeout).toEqual(['5']);
    expect(input?.Comment).toHaveLength(100);
  });

  test('an answer without a command id gives an empty id', async () => {
    ssmMock.on(SendCommandCommand).resolves({});
    expect((await sendShellCommand(ssm, 'i-1', ['true'], { timeoutSeconds: 60, comment: 'x' })).commandId).toBe('');
  });

  test('failures are converted', async () => {
    // Prepare
    ssmMock.on(SendCommandCommand).rejects(Object.assign(new Error('slow'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));
    // Act + Assess
    await expect(sendShellCommand(ssm, 'i-1', ['true'], { timeoutSeconds: 60, comment: 'x' })).rejects.toMatchObject({
      name: 'AwsThrottlingError',
      details: { operation: 'SendCommand' },
    });
  });
});

describe('getInvocation', () => {
  test.each<CommandInvocationStatus>(['Pending', 'InProgress', 'Delayed'])('%s is pending', async (Status) => {
    // Prepare
    ssmMock.on(GetCommandInvocationCommand).resolves({ Status });
    // Act + Assess
    expect(await getInvocation(ssm, 'cmd-1', 'i-1')).toEqual({ status: 'pending', detail: Status });
    expect(ssmMock.commandCalls(GetCommandInvocationCommand)[0]?.args[0].input).toEqual({ CommandId: 'cmd-1', InstanceId: 'i-1' });
  });

  test('no status yet is pending', async () => {
    ssmMock.on(GetCommandInvocationCommand).resolves({});
    expect(await getInvocation(ssm, 'cmd-1', 'i-1')).toEqual({ status: 'pending', detail: 'Pending' });
  });

  test('InvocationDoesNotExist right after SendCommand is pending, not failure', async () => {
    // Prepare
    ssmMock.on(GetCommandInvocationCommand).rejects(new InvocationDoesNotExist({ message: '', $metadata: { httpStatusCode: 400 } }));
    // Act + Assess
    expect(await getInvocation(ssm, 'cmd-1', 'i-1')).toEqual({ status: 'pending', detail: 'InvocationDoesNotExist' });
  });

  test('Success → done and ok, with output', async () => {
    // Prepare
    ssmMock.on(GetCommandInvocationCommand).resolves({
      Status: 'Success',
      StatusDetails: 'Success',
      ResponseCode: 0,
      StandardOutputContent: '{"ok":true}',
      StandardErrorContent: '',
    });
    // Act + Assess
    expect(await getInvocation(ssm, 'cmd-1', 'i-1')).toEqual({
      status: 'done',
      ok: true,
      detail: 'Success',
      responseCode: 0,
      stdout: '{"ok":true}',
      stderr: '',
    });
  });

  test.each<CommandInvocationStatus>(['Failed', 'TimedOut', 'Cancelled'])('%s → done and not ok', async (Status) => {
    // Prepare
    ssmMock.on(GetCommandInvocationCommand).resolves({ Status, StatusDetails: `${Status} details`, ResponseCode: 1, StandardErrorContent: 'boom' });
    // Act
    const result = await getInvocation(ssm, 'cmd-1', 'i-1');
    // Assess
    expect(result).toEqual({ status: 'done', ok: false, detail: `${Status} details`, responseCode: 1, stdout: '', stderr: 'boom' });
  });

  test('missing details, code and output get defaults', async () => {
    ssmMock.on(GetCommandInvocationCommand).resolves({ Status: 'Failed' });
    expect(await getInvocation(ssm, 'cmd-1', 'i-1')).toEqual({ status: 'done', ok: false, detail: 'Failed', responseCode: -1, stdout: '', stderr: '' });
  });

  test('other errors are converted', async () => {
    // Prepare
    ssmMock.on(GetCommandInvocationCommand).rejects(Object.assign(new Error('slow'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));
    // Act
    const failure = getInvocation(ssm, 'cmd-1', 'i-1');
    // Assess
    await expect(failure).rejects.toBeInstanceOf(AwsThrottlingError);
    await expect(failure).rejects.toMatchObject({ details: { operation: 'GetCommandInvocation' } });
  });
});
