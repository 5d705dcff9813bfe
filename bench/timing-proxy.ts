/**
 * A timing proxy for benchmarks: sits between an AWS SDK client (AWS_ENDPOINT_URL) and the local cloud, forwards
 * every request unchanged and records each call's operation and wall time as the client sees it (request sent to
 * response finished). Bench-only: the product and the local stand-in know nothing of it.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { readBody } from '../lib/local/standin.js';

export interface TimedCall {
  operation: string;
  status: number;
  startMs: number;
  ms: number;
}

export interface TimingProxy {
  endpoint: string;
  calls: TimedCall[];
  stop: () => Promise<void>;
}

/** `ec2.RunInstances`, `ssm.GetParameter`, … from the signing scope and the query Action or the JSON target. */
function operationOf(req: IncomingMessage, body: Buffer): string {
  const service = /\/\d{8}\/[a-z0-9-]+\/([a-z0-9-]+)\//.exec(String(req.headers.authorization ?? ''))?.[1] ?? 'unknown';
  const target = String(req.headers['x-amz-target'] ?? '');
  if (target) return `${service}.${target.split('.').pop() ?? target}`;
  const action = new URLSearchParams(body.toString('utf8')).get('Action');
  return `${service}.${action ?? `${req.method} ${req.url}`}`;
}

export async function startTimingProxy(target: string): Promise<TimingProxy> {
  const calls: TimedCall[] = [];
  const origin = performance.now();
  const server: Server = createServer((req, res) => {
    const started = performance.now();
    void readBody(req).then((body) => {
      const url = new URL(req.url ?? '/', target);
      const upstream = httpRequest(url, { method: req.method, headers: { ...req.headers, host: url.host } }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('end', () => calls.push({ operation: operationOf(req, body), status: answer.statusCode ?? 0, startMs: started - origin, ms: performance.now() - started }));
      });
      upstream.on('error', (error) => {
        res.writeHead(502).end(error.message);
      });
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
