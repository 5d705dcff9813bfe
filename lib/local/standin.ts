import { DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { loadRecordedPriceList, loadRecordedSpotPrices } from '../pricing/recorded.js';
import { efsOperation, forwardEdited, meteredSizes, restJsonError, type ResponseEdit } from './standin-efs.js';
import { LOCAL_CLOUD_GAP_CODE, LOCAL_CLOUD_GAPS } from './gaps.js';
import { createSsmStandIn, type HostSimulation, type SessionRecord } from './standin-ssm.js';
import { ec2Error, escapeXml, json, jsonError, queryError, readBody, regionOf } from './standin-wire.js';

export type { HostSimulation, ResponseEdit, SessionRecord };
export { readBody };

/**
 * The local cloud's front door. moto (the emulator) answers most of AWS; this stand-in answers, in AWS's own wire
 * format, what moto lacks, and forwards everything else to moto unchanged:
 * - SSM (standin-ssm.ts): the simulated agent, Run Command on a simulated GPU host, sessions, public parameters;
 * - Pricing GetProducts: recorded documents; EC2 DescribeSpotPriceHistory: recorded spot prices;
 * - injected faults (capacity, throttling) for tests and `gpu-deploy run --simulate-*`;
 * - what no local cloud can know of an account (LOCAL_CLOUD_GAPS), refused under its own name.
 * The production code path (SDK call over HTTP, parsing) is the same as against AWS.
 */
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
  /** Session Manager sessions started through the stand-in, by id. */
  sessions: Map<string, SessionRecord>;
  /** Answers rewritten on their way back from moto (EFS), for tests: see standin-efs.ts. */
  edits: ResponseEdit[];
  /** Where the simulated hosts' workspace mounts live: one directory per file system id. */
  workspaceRoot: string;
  stop: () => Promise<void>;
}

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
export async function startStandIn(options: { motoEndpoint: string; publicParameters: Record<string, string>; workspaceRoot: string; host?: HostSimulation; faults?: Fault[] }): Promise<StandIn> {
  const motoEc2 = (region: string): EC2Client =>
    new EC2Client({ region, endpoint: options.motoEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const state: StandIn = { endpoint: '', faults: [...(options.faults ?? [])], host: { ...(options.host ?? {}) }, calls: [], sessions: new Map(), edits: [], workspaceRoot: options.workspaceRoot, stop: async () => undefined };
  const ssm = createSsmStandIn({ motoEc2, host: () => state.host, publicParameters: options.publicParameters, workspaceRoot: options.workspaceRoot });
  state.sessions = ssm.sessions;

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

  /** EFS (REST JSON): named, faultable, metered by the simulated mounts, and edited when a test asks. */
  async function handleEfs(operation: string, req: IncomingMessage, body: Buffer, region: string, res: ServerResponse): Promise<void> {
    state.calls.push(`elasticfilesystem.${operation}`);
    const fault = await matchingFault(`elasticfilesystem.${operation}`, region, undefined);
    if (fault) return restJsonError(res, fault.status ?? 400, fault.code, fault.message ?? `injected ${fault.code}`);
    const edit = state.edits.find((e) => e.operation === `elasticfilesystem.${operation}` && e.times !== 0);
    if (edit?.times !== undefined) edit.times -= 1;
    const metered = meteredSizes(state.workspaceRoot);
    forwardEdited(options.motoEndpoint, req, body, res, (doc) => (edit ? edit.edit(metered(doc)) : metered(doc)));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const region = regionOf(req);
    const efs = efsOperation(req.method ?? 'GET', req.url ?? '/');
    if (efs) return handleEfs(efs, req, body, region, res);
    const amzTarget = String(req.headers['x-amz-target'] ?? '');
    if (amzTarget.startsWith('AmazonSSM.') || amzTarget.startsWith('AWSPriceListService.')) {
      const [prefix, target = ''] = amzTarget.split('.');
      const service = prefix === 'AmazonSSM' ? 'ssm' : 'pricing';
      state.calls.push(`${service}.${target}`);
      const fault = await matchingFault(`${service}.${target}`, region, undefined);
      if (fault) return jsonError(res, fault.status ?? 400, fault.code, fault.message ?? `injected ${fault.code}`);
      const parsed = body.length > 0 ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
      if (service === 'pricing') return handlePricing(target, parsed, res);
      if (await ssm.handle(target, parsed, region, res)) return;
      return forward(options.motoEndpoint, req, body, res);
    }
    if (amzTarget.includes('.')) {
      // Any other JSON-protocol service (Service Quotas, Step Functions, EventBridge, ...): recorded and injectable.
      const service = /\/\d{8}\/[a-z0-9-]+\/([a-z0-9-]+)\//.exec(String(req.headers.authorization ?? ''))?.[1] ?? 'unknown';
      const target = amzTarget.split('.').pop() ?? '';
      state.calls.push(`${service}.${target}`);
      const fault = await matchingFault(`${service}.${target}`, region, undefined);
      if (fault) return jsonError(res, fault.status ?? 400, fault.code, fault.message ?? `injected ${fault.code}`);
      const gap = LOCAL_CLOUD_GAPS[service] ?? LOCAL_CLOUD_GAPS[`${service}.${target}`];
      if (gap) return jsonError(res, 400, LOCAL_CLOUD_GAP_CODE, gap);
      return forward(options.motoEndpoint, req, body, res);
    }
    const contentType = String(req.headers['content-type'] ?? '');
    if (req.method === 'POST' && contentType.includes('x-www-form-urlencoded')) {
      const params = new URLSearchParams(body.toString('utf8'));
      const action = params.get('Action') ?? '';
      const service = /\/\d{8}\/[a-z0-9-]+\/([a-z0-9-]+)\//.exec(String(req.headers.authorization ?? ''))?.[1] ?? 'ec2';
      state.calls.push(`${service}.${action}`);
      const fault = await matchingFault(`${service}.${action}`, region, params);
      if (fault) return (service === 'ec2' ? ec2Error : queryError)(res, fault.status ?? 400, fault.code, fault.message ?? `injected ${fault.code}`);
      if (service === 'ec2' && action === 'DescribeSpotPriceHistory') return spotPriceHistory(region, params, res);
      const gap = LOCAL_CLOUD_GAPS[`${service}.${action}`];
      if (gap) return ec2Error(res, 400, LOCAL_CLOUD_GAP_CODE, gap);
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
    await ssm.settle();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return state;
}
