import { DescribeInstancesCommand, DescribeSecurityGroupsCommand, EC2Client, TerminateInstancesCommand, type Instance } from '@aws-sdk/client-ec2';
import { writeFileSync } from 'node:fs';
import type { LocalCloud } from '../../lib/local/cloud.js';
import type { Fault } from '../../lib/local/standin.js';
import { DEPLOYMENT_TAG } from '../../lib/launch/tags.js';

/** Talks to moto directly (not through the stand-in, so never faulted) to see what the emulator really holds. */
export function motoEc2(cloud: LocalCloud): EC2Client {
  return new EC2Client({ region: cloud.region, endpoint: cloud.moto.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
}

/** Every instance ever created with the deployment's tag, terminated ones included. */
export async function deploymentInstances(cloud: LocalCloud, deploymentId: string): Promise<Instance[]> {
  const out = await motoEc2(cloud).send(new DescribeInstancesCommand({ Filters: [{ Name: `tag:${DEPLOYMENT_TAG}`, Values: [deploymentId] }] }));
  return (out.Reservations ?? []).flatMap((r) => r.Instances ?? []);
}

export const isLive = (instance: Instance): boolean => instance.State?.Name !== 'terminated';

export async function deploymentSecurityGroups(cloud: LocalCloud, deploymentId: string): Promise<string[]> {
  const out = await motoEc2(cloud).send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: `tag:${DEPLOYMENT_TAG}`, Values: [deploymentId] }] }));
  return (out.SecurityGroups ?? []).map((g) => g.GroupId ?? '');
}

/** Terminates instances behind the workflow's back (someone else in the account, or the test's clean-up). */
export async function terminateBehindTheBack(cloud: LocalCloud, instanceIds: string[]): Promise<void> {
  if (instanceIds.length === 0) return;
  await motoEc2(cloud).send(new TerminateInstancesCommand({ InstanceIds: instanceIds }));
}

/** A throttling burst: each operation answers `times` throttling errors, then works again. */
export function throttlingBurst(operations: readonly string[], times: number): Fault[] {
  return operations.map((operation) => ({
    operation,
    code: operation.startsWith('ec2.') ? 'RequestLimitExceeded' : 'ThrottlingException',
    message: 'Rate exceeded (injected)',
    status: 400,
    times,
  }));
}

/** An error as the Lambda service reports a crashed invocation: its name is what the ASL Retry matches. */
export function lambdaServiceException(message: string): Error {
  const error = new Error(message);
  error.name = 'Lambda.ServiceException';
  return error;
}

export interface ScenarioRow {
  scenario: string;
  expected: string;
  outcome: string;
  error: string;
  instancesLeft: number;
  instancesCreated: number;
  runInstancesCalls: number;
  retries: number;
  ms: number;
  ok: boolean;
  note: string;
}

const cell = (value: string | number): string => String(value).replaceAll('|', '\\|').replaceAll('\n', ' ');

/** The fault table as markdown. */
export function resultsTable(rows: readonly ScenarioRow[]): string {
  const header = [
    '| # | scenario | expected | outcome | error | instances left | instances created | RunInstances calls | state retries | ms | as expected |',
    '| ---: | --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  const body = rows.map(
    (r, i) =>
      `| ${i + 1} | ${cell(r.scenario)} | ${cell(r.expected)} | ${cell(r.outcome)} | ${cell(r.error || '-')} | ${r.instancesLeft} | ${r.instancesCreated} | ${r.runInstancesCalls} | ${r.retries} | ${r.ms} | ${r.ok ? 'yes' : '**NO**'} |`,
  );
  const notes = rows.filter((r) => r.note).map((r) => `- ${cell(r.scenario)}: ${r.note}`);
  return [...header, ...body, '', ...(notes.length ? ['Notes:', '', ...notes, ''] : [])].join('\n');
}

export function writeResults(path: string, rows: readonly ScenarioRow[], preamble: string): string {
  const text = `${preamble}\n\n${resultsTable(rows)}\n`;
  writeFileSync(path, text);
  return text;
}
