import { DescribeInstanceAttributeCommand, DescribeInstancesCommand, DescribeInstanceTypesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeUserData } from '../userdata/render.js';
import { fakeHostEnv } from '../verify/fake-host.js';
import type { SimFault } from '../verify/fake-host.js';
import { runShell } from './shell.js';
import { json, jsonError } from './standin-wire.js';

/**
 * The local stand-in's SSM: what moto lacks of it, answered in AWS's wire format.
 * - DescribeInstanceInformation: a simulated SSM agent that is online once the instance runs;
 * - SendCommand / GetCommandInvocation: runs the sent shell commands on a simulated GPU host (fake nvidia-smi,
 *   docker, curl on PATH, GPUs as EC2 describes the instance type);
 * - StartSession / TerminateSession / DescribeSessions: sessions are recorded (the far end of a session is played by the CLI's
 *   `--local` stand-ins: a simulated host shell, the simulated host's Ollama API);
 * - GetParameter for AWS's public parameters (/aws/service/...).
 */
export interface HostSimulation {
  fault?: SimFault;
  /** Write a failed UserData status file on the simulated host, naming this stage. */
  failedStage?: string;
  /** The simulated SSM agent never comes online. */
  agentOffline?: boolean;
  /** The first N health checks find the UserData set-up still running (stage docker), as on a fresh instance. */
  setupRunningChecks?: number;
  /** The health check's per-probe timeout on the simulated host (seconds), for hung-host scenarios. */
  probeTimeoutSeconds?: number;
  /** Set-up finished, but the workspace its UserData names is not mounted at /workspace. */
  workspaceUnmounted?: boolean;
}

interface CommandRecord {
  instanceId: string;
  status: 'InProgress' | 'Success' | 'Failed';
  responseCode: number;
  stdout: string;
  stderr: string;
  requestedAt: string;
}

export interface SessionRecord {
  sessionId: string;
  target: string;
  documentName: string | undefined;
  parameters: Record<string, string[]>;
  status: 'Connected' | 'Terminated';
}

/** SSM keeps at most this much of StandardOutputContent in GetCommandInvocation. */
const SSM_OUTPUT_LIMIT = 24_000;

export interface SsmStandIn {
  handle: (target: string, body: Record<string, unknown>, region: string, res: ServerResponse) => Promise<boolean>;
  sessions: Map<string, SessionRecord>;
  /** Resolves when every command started so far has finished. */
  settle: () => Promise<void>;
}

export function createSsmStandIn(options: {
  motoEc2: (region: string) => EC2Client;
  /** Read on every call: tests and `run --simulate-*` replace the simulation between deployments. */
  host: () => HostSimulation;
  publicParameters: Record<string, string>;
  /** Where the simulated mounts of workspaces live, one directory per file system id. */
  workspaceRoot: string;
}): SsmStandIn {
  const { motoEc2 } = options;
  const commands = new Map<string, CommandRecord>();
  const sessions = new Map<string, SessionRecord>();
  const running = new Set<Promise<void>>();

  /**
   * The simulated host's workspace mount (a named stand-in for EFS: a directory per file system, shared by every
   * instance that mounts it, kept as long as the local cloud): the file system the instance's UserData names, as
   * its workspace stage would mount it and record it beside the status file.
   */
  async function simulatedWorkspace(ec2: EC2Client, instanceId: string, scratch: string): Promise<string | undefined> {
    const attribute = await ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute: 'userData' }));
    const script = decodeUserData(attribute.UserData?.Value ?? '');
    const fileSystemId = /^readonly WORKSPACE_FILE_SYSTEM_ID='(fs-[0-9a-f]+)'$/m.exec(script)?.[1];
    if (!fileSystemId || options.host().workspaceUnmounted) return undefined;
    const dir = join(options.workspaceRoot, fileSystemId);
    mkdirSync(join(dir, 'ollama'), { recursive: true });
    writeFileSync(join(scratch, 'workspace.json'), `${JSON.stringify({ fileSystemId, transit: 'tls', path: '/workspace' })}\n`);
    return dir;
  }

  async function simulatedHostEnv(region: string, instanceId: string, scratch: string): Promise<Record<string, string>> {
    const ec2 = motoEc2(region);
    const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    const instanceType = described.Reservations?.[0]?.Instances?.[0]?.InstanceType;
    const types = instanceType ? await ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: [instanceType] })) : undefined;
    const gpu = types?.InstanceTypes?.[0]?.GpuInfo;
    const first = gpu?.Gpus?.[0];
    const host = options.host();
    const workspaceDir = await simulatedWorkspace(ec2, instanceId, scratch);
    const statusFile = join(scratch, 'status.json');
    const stage = host.failedStage;
    const stillRunning = (host.setupRunningChecks ?? 0) > 0;
    if (stillRunning) host.setupRunningChecks = (host.setupRunningChecks ?? 1) - 1;
    const updatedAt = new Date().toISOString();
    writeFileSync(
      statusFile,
      JSON.stringify(
        stillRunning
          ? { stage: 'docker', outcome: 'running', message: 'simulated set-up in progress', updatedAt }
          : stage
            ? { stage, outcome: 'failed', message: `simulated failure in stage ${stage}`, updatedAt }
            : { stage: 'complete', outcome: 'succeeded', message: 'set-up finished', updatedAt },
      ),
    );
    return fakeHostEnv({
      ...(first?.Name ? { gpuModel: `NVIDIA ${first.Name}` } : {}),
      ...(first?.Count ? { gpuCount: (gpu?.Gpus ?? []).reduce((n, g) => n + (g.Count ?? 0), 0) } : {}),
      ...(first?.MemoryInfo?.SizeInMiB ? { gpuMemoryMiB: first.MemoryInfo.SizeInMiB } : {}),
      ...(host.fault ? { fault: host.fault } : {}),
      ...(host.probeTimeoutSeconds ? { probeTimeoutSeconds: host.probeTimeoutSeconds } : {}),
      ...(workspaceDir ? { workspaceDir } : {}),
      statusFile,
    });
  }

  function runCommand(region: string, commandId: string, instanceId: string, script: string): void {
    const record: CommandRecord = { instanceId, status: 'InProgress', responseCode: -1, stdout: '', stderr: '', requestedAt: new Date().toISOString() };
    commands.set(`${commandId}|${instanceId}`, record);
    const scratch = mkdtempSync(join(tmpdir(), 'gpu-deploy-host-'));
    const job = (async () => {
      try {
        const env = await simulatedHostEnv(region, instanceId, scratch);
        const result = await runShell(script, { env, cwd: scratch, timeoutMs: 120_000 });
        record.stdout = result.stdout.slice(0, SSM_OUTPUT_LIMIT);
        record.stderr = result.stderr.slice(0, 8000);
        record.responseCode = result.exitCode;
        record.status = result.exitCode === 0 ? 'Success' : 'Failed';
      } catch (error) {
        record.stderr = (error as Error).message;
        record.status = 'Failed';
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    })();
    running.add(job);
    void job.finally(() => running.delete(job));
  }

  /** The instances of `ids` whose simulated agent is online: running, and the agent not simulated offline. */
  async function onlineInstances(region: string, ids: string[]): Promise<string[]> {
    if (options.host().agentOffline || ids.length === 0) return [];
    let out;
    try {
      out = await motoEc2(region).send(new DescribeInstancesCommand({ InstanceIds: ids }));
    } catch (error) {
      // An id EC2 does not know has no agent either (SSM answers as for any unconnected target).
      if (String((error as Error).name).startsWith('InvalidInstanceID')) return [];
      throw error;
    }
    return (out.Reservations ?? []).flatMap((r) => r.Instances ?? []).filter((i) => i.State?.Name === 'running').map((i) => i.InstanceId ?? '');
  }

  async function handle(target: string, body: Record<string, unknown>, region: string, res: ServerResponse): Promise<boolean> {
    switch (target) {
      case 'DescribeInstanceInformation': {
        const filters = (body.Filters as { Key: string; Values: string[] }[] | undefined) ?? [];
        const ids = filters.find((f) => f.Key === 'InstanceIds')?.Values ?? [];
        const list = (await onlineInstances(region, ids)).map((id) => ({ InstanceId: id, PingStatus: 'Online', PlatformType: 'Linux', AgentVersion: 'stand-in', ResourceType: 'EC2Instance' }));
        json(res, 200, { InstanceInformationList: list });
        return true;
      }
      case 'SendCommand': {
        const ids = (body.InstanceIds as string[] | undefined) ?? [];
        const parameters = (body.Parameters as Record<string, string[]> | undefined) ?? {};
        if (body.DocumentName !== 'AWS-RunShellScript' || !parameters.commands) {
          jsonError(res, 400, 'InvalidDocument', 'The local stand-in runs AWS-RunShellScript only');
          return true;
        }
        const commandId = randomUUID();
        for (const id of ids) runCommand(region, commandId, id, parameters.commands.join('\n'));
        json(res, 200, { Command: { CommandId: commandId, DocumentName: body.DocumentName, InstanceIds: ids, Status: 'Pending' } });
        return true;
      }
      case 'GetCommandInvocation': {
        const record = commands.get(`${String(body.CommandId)}|${String(body.InstanceId)}`);
        if (!record) {
          jsonError(res, 400, 'InvocationDoesNotExist', 'No such command invocation');
          return true;
        }
        json(res, 200, {
          CommandId: body.CommandId,
          InstanceId: body.InstanceId,
          Status: record.status,
          StatusDetails: record.status,
          ResponseCode: record.responseCode,
          StandardOutputContent: record.stdout,
          StandardErrorContent: record.stderr,
          RequestedDateTime: record.requestedAt,
        });
        return true;
      }
      case 'StartSession': {
        const instanceId = String(body.Target ?? '');
        if ((await onlineInstances(region, /^i-[0-9a-f]+$/.test(instanceId) ? [instanceId] : [])).length === 0) {
          // What SSM answers for an instance whose agent is not connected.
          jsonError(res, 400, 'TargetNotConnected', `${instanceId} is not connected.`);
          return true;
        }
        const sessionId = `gpu-deploy-local-${randomBytes(8).toString('hex')}`;
        const documentName = typeof body.DocumentName === 'string' ? body.DocumentName : undefined;
        sessions.set(sessionId, { sessionId, target: instanceId, documentName, parameters: (body.Parameters as Record<string, string[]> | undefined) ?? {}, status: 'Connected' });
        json(res, 200, {
          SessionId: sessionId,
          TokenValue: randomBytes(24).toString('base64'),
          StreamUrl: `wss://ssmmessages.${region}.amazonaws.com/v1/data-channel/${sessionId}?role=publish_subscribe&stand-in=local`,
        });
        return true;
      }
      case 'TerminateSession': {
        const sessionId = String(body.SessionId ?? '');
        const session = sessions.get(sessionId);
        if (session) session.status = 'Terminated';
        // SSM answers TerminateSession for an unknown or ended session with its id, too.
        json(res, 200, { SessionId: sessionId });
        return true;
      }
      case 'DescribeSessions': {
        const wanted = body.State === 'History' ? 'Terminated' : 'Connected';
        const list = [...sessions.values()].filter((x) => x.status === wanted).map((x) => ({ SessionId: x.sessionId, Target: x.target, Status: x.status, DocumentName: x.documentName }));
        json(res, 200, { Sessions: list });
        return true;
      }
      case 'GetParameter': {
        const name = String(body.Name ?? '');
        if (!name.startsWith('/aws/service/')) return false;
        const value = options.publicParameters[name];
        if (value === undefined) jsonError(res, 400, 'ParameterNotFound', `Parameter ${name} not found.`);
        else json(res, 200, { Parameter: { Name: name, Type: 'String', Value: value, Version: 1, DataType: 'aws:ec2:image', ARN: `arn:aws:ssm:${region}::parameter${name}` } });
        return true;
      }
      default:
        return false;
    }
  }

  return { handle, sessions, settle: async () => void (await Promise.allSettled([...running])) };
}
