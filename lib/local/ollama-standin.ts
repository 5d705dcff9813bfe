import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fakeHostEnv } from '../verify/fake-host.js';
import { runShell } from './shell.js';

/** What the simulated host's Ollama answers (the fake host's curl): the routes `tunnel --local` serves. */
export const SIMULATED_OLLAMA_ROUTES = ['/api/version', '/api/tags', '/api/ps'] as const;

export interface SimulatedOllama {
  url: string;
  close: () => Promise<void>;
}

/**
 * Local stand-in for the far end of a port-forwarding session: serves the simulated host's Ollama API on
 * 127.0.0.1:`port` by asking the simulated host itself (its fake curl, as health-check.sh does), so what a local
 * tunnel answers is what a local deployment's verification saw. There is no model behind it.
 */
export async function serveSimulatedOllama(port: number, hostEnv: Record<string, string> = fakeHostEnv()): Promise<SimulatedOllama> {
  const scratch = mkdtempSync(join(tmpdir(), 'gpu-deploy-tunnel-'));
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (req.method !== 'GET' || !(SIMULATED_OLLAMA_ROUTES as readonly string[]).includes(path)) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: `the local stand-in serves only GET ${SIMULATED_OLLAMA_ROUTES.join(', ')}` }));
      return;
    }
    runShell(`curl -s http://127.0.0.1:11434${path}`, { env: hostEnv, cwd: scratch, timeoutMs: 10_000 })
      .then((out) => {
        res.writeHead(out.exitCode === 0 ? 200 : 502, { 'content-type': 'application/json', 'x-gpu-deploy-stand-in': 'simulated-host' });
        res.end(out.exitCode === 0 ? out.stdout : JSON.stringify({ error: out.stderr.trim() }));
      })
      .catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: (error as Error).message }));
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://127.0.0.1:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          rmSync(scratch, { recursive: true, force: true });
          resolve();
        });
      }),
  };
}
