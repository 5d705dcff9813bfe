import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { endedEventDetail, isEndedNotifyInput } from '../../../lib/events/ended.js';
import { notifyStep } from '../../../lib/events/notify.js';

const eventsMock = mockClient(EventBridgeClient);
const events = new EventBridgeClient({ region: 'eu-west-1' });
const execution = { id: 'arn:aws:states:eu-west-1:123456789012:execution:gpu-deploy-dev-teardown:ended-i-0abc', name: 'ended-i-0abc' };
const document = {
  deploymentId: 'cli-1', region: 'eu-west-1', instanceId: 'i-0abc', reason: 'idle',
  rollback: { done: true, terminatedInstances: ['i-0abc'], deletedSecurityGroups: ['sg-1'], remainingInstances: [], remainingSecurityGroups: [] },
};

beforeEach(() => {
  eventsMock.reset();
  eventsMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'evt-1' }] });
});

describe('GPU Deployment Expired / Idle', () => {
  test.each([
    ['idle', 'GPU Deployment Idle'],
    ['expired', 'GPU Deployment Expired'],
  ] as const)('the teardown started for %s publishes %s with what it removed', async (reason, detailType) => {
    await expect(notifyStep({ reason, execution, document }, events)).resolves.toEqual({ eventId: 'evt-1', detailType });
    const entry = eventsMock.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0];
    expect(entry).toMatchObject({ Source: 'gpu-deploy', DetailType: detailType, Resources: [execution.id] });
    expect(JSON.parse(entry?.Detail ?? '{}')).toEqual({
      deploymentId: 'cli-1', region: 'eu-west-1', reason, instanceId: 'i-0abc', teardownExecutionArn: execution.id,
      terminatedInstances: ['i-0abc'], deletedSecurityGroups: ['sg-1'],
    });
  });

  test('only the two reasons are ended-inputs; a sparse document gives nulls and empty lists', () => {
    expect(isEndedNotifyInput({ reason: 'idle', execution, document })).toBe(true);
    expect(isEndedNotifyInput({ reason: 'bored', execution, document })).toBe(false);
    expect(isEndedNotifyInput({ status: 'SUCCEEDED', terminalState: 'Succeeded', execution, document })).toBe(false);
    expect(endedEventDetail({ reason: 'expired', execution: { id: 'local', name: 'x' }, document: null })).toEqual({
      deploymentId: null, region: null, reason: 'expired', instanceId: null, teardownExecutionArn: 'local', terminatedInstances: [], deletedSecurityGroups: [],
    });
  });

  test('a bus name is passed on; a non-ARN execution id gives no resources', async () => {
    await notifyStep({ reason: 'expired', execution: { id: 'local-1', name: 'local-1' }, document }, events, 'my-bus');
    expect(eventsMock.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0]).toMatchObject({ EventBusName: 'my-bus' });
    expect(eventsMock.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0]).not.toHaveProperty('Resources');
  });
});
