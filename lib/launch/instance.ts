import {
  DescribeInstancesCommand,
  RunInstancesCommand,
  type EC2Client,
  type Instance,
  type RunInstancesCommandInput,
  type RunInstancesCommandOutput,
} from '@aws-sdk/client-ec2';
import { awsErrorCode, callAws, CAPACITY_ERROR_CODES, toProjectError } from '../aws/classify.js';
import { CapacityUnavailableError, LaunchFailedError, NetworkNotFoundError } from '../errors.js';
import type { LaunchAttempt } from '../capacity/plan.js';
import { DEPLOYMENT_TAG, HOURLY_PRICE_TAG, PRICE_SOURCE_TAG, clientToken, deploymentTags } from './tags.js';
import { ensureSecurityGroup, findSubnet } from './network.js';
import { isNotYetVisible, retryWhileNotYetVisible, type PropagationRetryOptions } from './consistency.js';

/**
 * How many fresh tokens one attempt may take after `IdempotentInstanceTerminated` (EC2, since January 2025: the
 * token's instance was terminated). Each generation is deterministic, so a retried Launch replays the same tokens
 * and still gets the one instance back.
 */
export const MAX_TOKEN_GENERATIONS = 3;

export interface LaunchInput {
  deploymentId: string;
  executionId: string;
  imageId: string;
  rootVolumeGiB: number;
  rootDeviceName?: string;
  userDataBase64: string;
  instanceProfileName?: string;
  subnetId?: string;
  /** Groups the instance carries besides its deployment's own (the workspace's client group). */
  extraSecurityGroupIds?: string[];
  tags: Record<string, string>;
  /** Where each market's planned price came from: written with the price as tags, so `list` needs no Pricing call. */
  priceSources?: { spot?: string; onDemand?: string };
}

/** The attempt's planned hourly price and its source as tags; none when the plan did not know the price. */
export function priceTags(attempt: LaunchAttempt, sources: LaunchInput['priceSources'] = {}): Record<string, string> {
  if (attempt.expectedHourly === undefined) return {};
  const source = attempt.market === 'spot' ? sources.spot : sources.onDemand;
  return { [HOURLY_PRICE_TAG]: attempt.expectedHourly.toFixed(4), ...(source ? { [PRICE_SOURCE_TAG]: source } : {}) };
}

export interface LaunchedInstance {
  instanceId: string;
  instanceType: string;
  zone: string;
  market: LaunchAttempt['market'];
  subnetId: string;
  securityGroupId: string;
  launchedAt: string;
  /** True when an instance of this deployment already existed (a retried or re-driven Launch). */
  reused: boolean;
  attempts: { zone: string; market: string; instanceType: string; outcome: string }[];
}

/** Live (not terminated) instances of a deployment, by tag: how a retried Launch finds what it started. */
export async function findDeploymentInstances(ec2: EC2Client, deploymentId: string): Promise<Instance[]> {
  const out = await callAws('DescribeInstances', () =>
    ec2.send(
      new DescribeInstancesCommand({
        Filters: [
          { Name: `tag:${DEPLOYMENT_TAG}`, Values: [deploymentId] },
          { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped', 'shutting-down'] },
        ],
      }),
    ),
  );
  return (out.Reservations ?? []).flatMap((r) => r.Instances ?? []);
}

/** The RunInstances parameters for one attempt: every security default in one place. */
export function runInstancesInput(
  input: LaunchInput,
  attempt: LaunchAttempt,
  network: { subnetId: string; securityGroupId: string },
  generation = 0,
): RunInstancesCommandInput {
  const tags = deploymentTags(input.deploymentId, { ...input.tags, ...priceTags(attempt, input.priceSources) }, input.executionId);
  return {
    ClientToken: clientToken(input.executionId, attempt, generation),
    ImageId: input.imageId,
    InstanceType: attempt.instanceType as RunInstancesCommandInput['InstanceType'],
    MinCount: 1,
    MaxCount: 1,
    SubnetId: network.subnetId,
    SecurityGroupIds: [network.securityGroupId, ...(input.extraSecurityGroupIds ?? [])],
    UserData: input.userDataBase64,
    // An instance that shuts itself down (idle guard, lifetime backstop) is terminated, not kept stopped.
    InstanceInitiatedShutdownBehavior: 'terminate',
    // IMDSv2 only; hop limit 2 so containers on the host can still reach the metadata service.
    MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 2, HttpEndpoint: 'enabled' },
    BlockDeviceMappings: [
      {
        DeviceName: input.rootDeviceName ?? '/dev/sda1',
        Ebs: { VolumeSize: input.rootVolumeGiB, VolumeType: 'gp3', Encrypted: true, DeleteOnTermination: true },
      },
    ],
    ...(input.instanceProfileName ? { IamInstanceProfile: { Name: input.instanceProfileName } } : {}),
    ...(attempt.market === 'spot'
      ? {
          InstanceMarketOptions: {
            MarketType: 'spot',
            SpotOptions: {
              SpotInstanceType: 'one-time',
              InstanceInterruptionBehavior: 'terminate',
              ...(attempt.maxPrice === undefined ? {} : { MaxPrice: attempt.maxPrice.toFixed(4) }),
            },
          },
        }
      : {}),
    TagSpecifications: [
      { ResourceType: 'instance', Tags: tags },
      { ResourceType: 'volume', Tags: tags },
    ],
  };
}

function describeFromInstance(instance: Instance, reused: boolean, attempts: LaunchedInstance['attempts'], securityGroupId: string): LaunchedInstance {
  return {
    instanceId: instance.InstanceId ?? '',
    instanceType: instance.InstanceType ?? '',
    zone: instance.Placement?.AvailabilityZone ?? '',
    market: instance.InstanceLifecycle === 'spot' ? 'spot' : 'on-demand',
    subnetId: instance.SubnetId ?? '',
    securityGroupId: instance.SecurityGroups?.[0]?.GroupId ?? securityGroupId,
    launchedAt: (instance.LaunchTime ?? new Date()).toISOString(),
    reused,
    attempts,
  };
}

/**
 * RunInstances for one attempt: a security group or instance profile created moments ago is retried with the same
 * token while EC2 does not see it yet; a token whose instance was terminated moves on to the attempt's next token
 * generation (recorded in `tried`). Anything else is thrown to the caller.
 */
async function runAttempt(
  ec2: EC2Client,
  input: LaunchInput,
  attempt: LaunchAttempt,
  network: { subnetId: string; securityGroupId: string },
  tried: LaunchedInstance['attempts'],
  retry: PropagationRetryOptions,
): Promise<RunInstancesCommandOutput> {
  const sent = input.instanceProfileName ? { instanceProfileName: input.instanceProfileName } : {};
  for (let generation = 0; ; generation += 1) {
    try {
      return await retryWhileNotYetVisible(
        () => ec2.send(new RunInstancesCommand(runInstancesInput(input, attempt, network, generation))),
        (error) => isNotYetVisible(error, sent),
        retry,
      );
    } catch (error) {
      if (awsErrorCode(error) !== 'IdempotentInstanceTerminated' || generation + 1 >= MAX_TOKEN_GENERATIONS) throw error;
      tried.push({ zone: attempt.zone, market: attempt.market, instanceType: attempt.instanceType, outcome: 'IdempotentInstanceTerminated' });
    }
  }
}

/**
 * Launches one instance for the deployment, walking the planned attempts: capacity errors (classified by code)
 * move on to the next attempt; anything else stops. A deployment that already has an instance gets it back.
 * EC2's eventual consistency (a group or profile created a moment ago) is retried within the attempt (`retry`).
 *
 * @throws CapacityUnavailableError when every attempt ran out of capacity
 * @throws LaunchFailedError for other RunInstances failures
 */
export async function launchInstance(
  ec2: EC2Client,
  input: LaunchInput,
  attempts: readonly LaunchAttempt[],
  onCapacityError: (attempt: LaunchAttempt, code: string) => void = () => undefined,
  retry: PropagationRetryOptions = {},
): Promise<LaunchedInstance> {
  const existing = (await findDeploymentInstances(ec2, input.deploymentId))[0];
  if (existing) return describeFromInstance(existing, true, [], '');

  const tried: LaunchedInstance['attempts'] = [];
  for (const attempt of attempts) {
    let placement;
    try {
      placement = await findSubnet(ec2, attempt.zone, input.subnetId);
    } catch (error) {
      // A default VPC may lack a subnet in some zone: that attempt is skipped, not the deployment. A subnet the
      // request named is never skipped.
      if (error instanceof NetworkNotFoundError && !input.subnetId) {
        tried.push({ zone: attempt.zone, market: attempt.market, instanceType: attempt.instanceType, outcome: 'NoDefaultSubnet' });
        continue;
      }
      throw error;
    }
    const securityGroupId = await ensureSecurityGroup(ec2, placement.vpcId, input.deploymentId);
    try {
      const out = await runAttempt(ec2, input, attempt, { subnetId: placement.subnetId, securityGroupId }, tried, retry);
      const instance = out.Instances?.[0];
      if (!instance?.InstanceId) throw new LaunchFailedError('RunInstances returned no instance');
      tried.push({ zone: attempt.zone, market: attempt.market, instanceType: attempt.instanceType, outcome: 'launched' });
      return describeFromInstance(instance, false, tried, securityGroupId);
    } catch (error) {
      const code = awsErrorCode(error) ?? 'Unknown';
      if (CAPACITY_ERROR_CODES.has(code)) {
        tried.push({ zone: attempt.zone, market: attempt.market, instanceType: attempt.instanceType, outcome: code });
        onCapacityError(attempt, code);
        continue;
      }
      if (error instanceof LaunchFailedError) throw error;
      const projectError = toProjectError(error, 'RunInstances');
      if (projectError.name === 'AwsRequestError') {
        const notVisible = isNotYetVisible(error, input.instanceProfileName ? { instanceProfileName: input.instanceProfileName } : {});
        throw new LaunchFailedError(`RunInstances failed in ${attempt.zone} (${attempt.market}): ${code}`, {
          cause: error,
          hint: notVisible
            ? 'EC2 still did not know the security group or instance profile after retrying for about 30 s: check that it exists in this region and account, then deploy again'
            : 'Check the request (AMI, subnet, instance profile) and the account limits named in the code',
          details: { code, attempt, tried },
        });
      }
      throw projectError;
    }
  }
  if (tried.length > 0 && tried.every((t) => t.outcome === 'NoDefaultSubnet')) {
    throw new NetworkNotFoundError(`The default VPC has no subnet in any planned zone (${tried.map((t) => t.zone).join(', ')})`, {
      hint: 'Set subnetId to a subnet in a zone that offers the type, or create a default VPC (aws ec2 create-default-vpc)',
      details: { tried },
    });
  }
  const triedText = tried.map((t) => `${t.zone} ${t.market} (${t.outcome})`).join(', ');
  throw new CapacityUnavailableError(
    `No capacity for ${attempts[0]?.instanceType ?? 'the instance type'} in any planned zone and market (${tried.length} attempts${triedText ? `: ${triedText}` : ''})`,
    {
      hint: 'Try again later, allow another market (--market auto), raise --max-hourly-price, or choose another GPU type',
      details: { tried },
    },
  );
}
