import { DescribeInstanceInformationCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { callAws } from '../aws/classify.js';

/** Whether SSM's agent on the instance has registered and is online (Run Command can reach it). */
export async function ssmPingStatus(ssm: SSMClient, instanceId: string): Promise<string> {
  const out = await callAws('DescribeInstanceInformation', () =>
    ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: [instanceId] }] })),
  );
  return out.InstanceInformationList?.[0]?.PingStatus ?? 'NotRegistered';
}
