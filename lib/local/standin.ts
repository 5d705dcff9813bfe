import { DescribeInstancesCommand, DescribeInstanceTypesCommand, DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRecordedPriceList, loadRecordedSpotPrices } from '../pricing/recorded.js';
import { fakeHostEnv } from '../verify/fake-host.js';
import type { SimFault } from '../verify/fake-host.js';
import { runShell } from './shell.js';

/**
 * The local cloud's front door. moto (the emulator) answers most of AWS; this stand-in answers, in AWS's own wire
 * format, what moto lacks, and forwards everything else to moto unchanged:
 * - SSM DescribeInstanceInformation: a simulated SSM agent that is online once the instance runs;
 * - SSM SendCommand / GetCommandInvocation: runs the sent shell commands (the real health-check script) on a
 *   simulated GPU host: fake nvidia-smi/docker/curl on PATH, GPUs as EC2 describes the instance type;
 * - SSM GetParameter for AWS's public parameters (/aws/service/...);
 * - Pricing GetProducts: recorded documents; EC2 DescribeSpotPriceHistory: recorded spot prices;
 * - injected faults (capacity, throttling) for tests and `gpu-deploy run --simulate-*`.
 * The production code path (SDK call over HTTP, parsing) is the same as against AWS.
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
}

export interface Fault {
  /** `Service.Operation`, e.g. `ec2.RunInstances`, `ssm.SendCommand`. */
  operation: string;
  code: string;
  message?: string;
  status?: number;
  /** Only requests whose zone (RunInstances: the subnet's zone) is listed. */
  zones?: string[];
  /** Only spot (true) or on-demand (false) RunInstances. */
  spot?: boolean;
  /** How many times it fires; unlimited when unset. */
  times?: number;
}

export interface StandIn {
  endpoint: string;
  faults: Fault[];
  host: HostSimulation;
  /** Every operation the stand-in saw, in order: `ec2.RunInstances`, … */
  calls: string[];
  stop: () => Promise<void>;
}

interface CommandRecord {
  instanceId: string;
  status: 'InProgress' | 'Success' | 'Failed';
  responseCode: number;
  stdout: string;
  stderr: string;
  requestedAt: string;
}

/** SSM keeps at most this much of StandardOutputContent in GetCommandInvocation. */
const SSM_OUTPUT_LIMIT = 24_000;

/** The whole body of an incoming HTTP request. */
export const readBody = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

function regionOf(req: IncomingMessage): string {
  const match = /Credential=[^/]+\/\d{8}\/([a-z0-9-]+)\//.exec(String(req.headers.authorization ?? ''));
  return match?.[1] ?? 'us-east-1';
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() });
  res.end(JSON.stringify(body));
}

const jsonError = (res: ServerResponse, status: number, type: string, message: string): void => json(res, status, { __type: type, message });

function ec2Error(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'text/xml' });
  res.end(
    `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error></Errors><RequestID>${randomUUID()}</RequestID></Response>`,
  );
}

const escapeXml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function forward(moto: string, req: IncomingMessage, body: Buffer, res: ServerResponse): void {
  const target = new URL(req.url ?? '/', moto);
  const upstream = httpRequest(
    target,
    { method: req.method, headers: { ...req.headers, host: target.host, 'content-length': String(body.length) } },
    (motoRes) => {
      res.writeHead(motoRes.statusCode ?? 502, motoRes.headers);
      motoRes.pipe(res);
    },
  );
  upstream.on('error', (error) => ec2Error(res, 502, 'StandInForwardError', error.message));
  upstream.end(body);
}

/** Starts the stand-in on a free loopback port in front of moto. */
export async function startStandIn(options: { motoEndpoint: string; publicParameters: Record<string, string>; host?: HostSimulation; faults?: Fault[] }): Promise<StandIn> {
  const motoEc2 = (region: string): EC2Client =>
    new EC2Client({ region, endpoint: options.motoEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const commands = new Map<string, CommandRecord>();
  const running = new Set<Promise<void>>();
  const state: StandIn = { endpoint: '', faults: [...(options.faults ?? [])], host: { ...(options.host ?? {}) }, calls: [], stop: async () => undefined };

  async function zoneOfSubnet(region: string, subnetId: string | undefined): Promise<string | undefined> {
    if (!subnetId) return undefined;
    const out = await motoEc2(region).send(new DescribeSubnetsCommand({ SubnetIds: [subnetId] }));
    return out.Subnets?.[0]?.AvailabilityZone;
  }

  async function matchingFault(operation: string, region: string, params: URLSearchParams | undefined): Promise<Fault | undefined> {
    for (const fault of state.faults) {
      if (fault.operation !== operation || fault.times === 0) continue;
      if (fault.zones && operation === 'ec2.RunInstances') {
        const zone = params?.get('Placement.AvailabilityZone') ?? (await zoneOfSubnet(region, params?.get('SubnetId') ?? undefined));
        if (!zone || !fault.zones.includes(zone)) continue;
      }
      if (fault.spot !== undefined && operation === 'ec2.RunInstances') {
        const isSpot = params?.get('InstanceMarketOptions.MarketType') === 'spot';
        if (isSpot !== fault.spot) continue;
      }
      if (fault.times !== undefined) fault.times -= 1;
      return fault;
    }
    return undefined;
  }

  async function simulatedHostEnv(region: string, instanceId: string, scratch: string): Promise<Record<string, string>> {
    const ec2 = motoEc2(region);
    const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    const instanceType = described.Reservations?.[0]?.Instances?.[0]?.InstanceType;
    const types = instanceType ? await ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: [instanceType] })) : undefined;
    const gpu = types?.InstanceTypes?.[0]?.GpuInfo;
    const first = gpu?.Gpus?.[0];
    const statusFile = join(scratch, 'status.json');
    const stage = state.host.failedStage;
    const stillRunning = (state.host.setupRunningChecks ?? 0) > 0;
    if (stillRunning) state.host.setupRunningChecks = (state.host.setupRunningChecks ?? 1) - 1;
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
      ...(state.host.fault ? { fault: state.host.fault } : {}),
      ...(state.host.probeTimeoutSeconds ? { probeTimeoutSeconds: state.host.probeTimeoutSeconds } : {}),
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

  async function handleSsm(target: string, body: Record<string, unknown>, region: string, res: ServerResponse): Promise<boolean> {
    switch (target) {
      case 'DescribeInstanceInformation': {
        const filters = (body.Filters as { Key: string; Values: string[] }[] | undefined) ?? [];
        const ids = filters.find((f) => f.Key === 'InstanceIds')?.Values ?? [];
        const list = [];
        if (!state.host.agentOffline && ids.length > 0) {
          const out = await motoEc2(region).send(new DescribeInstancesCommand({ InstanceIds: ids }));
          for (const instance of (out.Reservations ?? []).flatMap((r) => r.Instances ?? [])) {
            if (instance.State?.Name !== 'running') continue;
            list.push({ InstanceId: instance.InstanceId, PingStatus: 'Online', PlatformType: 'Linux', AgentVersion: 'stand-in', ResourceType: 'EC2Instance' });
          }
        }
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

  function handlePricing(target: string, body: Record<string, unknown>, res: ServerResponse): void {
    if (target !== 'GetProducts') {
      jsonError(res, 400, 'UnsupportedOperation', `The local Pricing stand-in serves GetProducts only, not ${target}`);
      return;
    }
    const filters = (body.Filters as { Field: string; Value: string }[] | undefined) ?? [];
    const field = (name: string): string | undefined => filters.find((f) => f.Field.toLowerCase() === name.toLowerCase())?.Value;
    const instanceType = field('instanceType');
    const regionCode = field('regionCode');
    const priceList = instanceType && regionCode ? (loadRecordedPriceList(regionCode, instanceType) ?? []) : [];
    json(res, 200, { FormatVersion: 'aws_v1', PriceList: priceList });
  }

  function spotPriceHistory(region: string, params: URLSearchParams, res: ServerResponse): void {
    const recorded = loadRecordedSpotPrices();
    const types = [...params.entries()].filter(([k]) => k.startsWith('InstanceType.')).map(([, v]) => v);
    const items: string[] = [];
    for (const type of types) {
      for (const [zone, price] of Object.entries(recorded?.prices[region]?.[type] ?? {})) {
        items.push(
          `<item><instanceType>${escapeXml(type)}</instanceType><productDescription>Linux/UNIX</productDescription><spotPrice>${price.toFixed(6)}</spotPrice><timestamp>${new Date().toISOString()}</timestamp><availabilityZone>${zone}</availabilityZone></item>`,
        );
      }
    }
    res.writeHead(200, { 'content-type': 'text/xml' });
    res.end(
      `<?xml version="1.0" encoding="UTF-8"?>\n<DescribeSpotPriceHistoryResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>${randomUUID()}</requestId><spotPriceHistorySet>${items.join('')}</spotPriceHistorySet><nextToken></nextToken></DescribeSpotPriceHistoryResponse>`,
    );
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const region = regionOf(req);
    const amzTarget = String(req.headers['x-amz-target'] ?? '');
    if (amzTarget.startsWith('AmazonSSM.') || amzTarget.startsWith('AWSPriceListService.')) {
      const [prefix, target = ''] = amzTarget.split('.');
      const service = prefix === 'AmazonSSM' ? 'ssm' : 'pricing';
      state.calls.push(`${service}.${target}`);
      const fault = await matchingFault(`${service}.${target}`, region, undefined);
      if (fault) return jsonError(res, fault.status ?? 400, fault.code, fault.message ?? `injected ${fault.code}`);
      const parsed = body.length > 0 ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
      if (service === 'pricing') return handlePricing(target, parsed, res);
      if (await handleSsm(target, parsed, region, res)) return;
      return forward(options.motoEndpoint, req, body, res);
    }
    if (amzTarget.includes('.')) {
      // Any other JSON-protocol service (Service Quotas, Step Functions, EventBridge, ...): recorded and injectable.
      const service = /\/\d{8}\/[a-z0-9-]+\/([a-z0-9-]+)\//.exec(String(req.headers.authorization ?? ''))?.[1] ?? 'unknown';
      const target = amzTarget.split('.').pop() ?? '';
      state.calls.push(`${service}.${target}`);
      const fault = await matchingFault(`${service}.${target}`, region, undefined);
      if (fault) return jsonError(res, fault.status ?? 400, fault.code, fault.message ?? `injected ${fault.code}`);
      return forward(options.motoEndpoint, req, body, res);
    }
    const contentType = String(req.headers['content-type'] ?? '');
    if (req.method === 'POST' && contentType.includes('x-www-form-urlencoded')) {
      const params = new URLSearchParams(body.toString('utf8'));
      const action = params.get('Action') ?? '';
      const service = /\/\d{8}\/[a-z0-9-]+\/([a-z0-9-]+)\//.exec(String(req.headers.authorization ?? ''))?.[1] ?? 'ec2';
      state.calls.push(`${service}.${action}`);
      const fault = await matchingFault(`${service}.${action}`, region, params);
      if (fault) return ec2Error(res, fault.status ?? 400, fault.code, fault.message ?? `injected ${fault.code}`);
      if (service === 'ec2' && action === 'DescribeSpotPriceHistory') return spotPriceHistory(region, params, res);
    }
    forward(options.motoEndpoint, req, body, res);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) jsonError(res, 500, 'InternalFailure', `stand-in: ${(error as Error).message}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  state.endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  state.stop = async () => {
    await Promise.allSettled([...running]);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return state;
}
