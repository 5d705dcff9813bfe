/**
 * Amazon EFS through the local stand-in. moto implements EFS (file systems, mount targets, lifecycle); the
 * stand-in forwards to it, names each call (`elasticfilesystem.DescribeMountTargets`) so faults can be injected and
 * calls counted, and plays what moto cannot know:
 * - EFS metering: a file system's size is what its simulated mount (a directory, see standin-ssm.ts) holds, where
 *   moto always says 0 bytes;
 * - response edits: a test can make an answer say what AWS would say at that moment (a mount target still
 *   `creating`), for the first N calls.
 */
import { readdirSync, statSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';

/** EFS's REST paths (API version 2015-02-01). */
export const EFS_PATH_PREFIX = '/2015-02-01/';

/** Rewrites the JSON body of an operation's successful answer, for the first `times` answers (all when unset). */
export interface ResponseEdit {
  /** `elasticfilesystem.Operation`. */
  operation: string;
  times?: number;
  edit: (body: Record<string, unknown>) => Record<string, unknown>;
}

const ROUTES: Array<[RegExp, Record<string, string>]> = [
  [/^file-systems$/, { GET: 'DescribeFileSystems', POST: 'CreateFileSystem' }],
  [/^file-systems\/[^/]+$/, { DELETE: 'DeleteFileSystem', PUT: 'UpdateFileSystem' }],
  [/^file-systems\/[^/]+\/lifecycle-configuration$/, { GET: 'DescribeLifecycleConfiguration', PUT: 'PutLifecycleConfiguration' }],
  [/^mount-targets$/, { GET: 'DescribeMountTargets', POST: 'CreateMountTarget' }],
  [/^mount-targets\/[^/]+$/, { DELETE: 'DeleteMountTarget' }],
  [/^mount-targets\/[^/]+\/security-groups$/, { GET: 'DescribeMountTargetSecurityGroups', PUT: 'ModifyMountTargetSecurityGroups' }],
  [/^resource-tags\/[^/]+$/, { GET: 'ListTagsForResource', POST: 'TagResource', DELETE: 'UntagResource' }],
];

/** The EFS operation of a REST request (`DescribeMountTargets`), or undefined when the path is not EFS's. */
export function efsOperation(method: string, url: string): string | undefined {
  const path = new URL(url, 'http://local').pathname;
  if (!path.startsWith(EFS_PATH_PREFIX)) return undefined;
  const rest = path.slice(EFS_PATH_PREFIX.length).replace(/\/$/, '');
  for (const [pattern, methods] of ROUTES) if (pattern.test(rest)) return methods[method] ?? 'Unknown';
  return 'Unknown';
}

/** An EFS (restJson1) error, as the SDK reads it: the code in x-amzn-errortype and the body. */
export function restJsonError(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': code, 'x-amzn-requestid': randomUUID() });
  res.end(JSON.stringify({ ErrorCode: code, Message: message }));
}

/** Bytes of the files below `dir` (what the simulated mount holds); 0 when it does not exist. */
export function bytesBelow(dir: string): number {
  let total = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += bytesBelow(path);
    else if (entry.isFile()) total += statSync(path).size;
  }
  return total;
}

/** The stand-in's metering: each described file system's size from its simulated mount under `workspaceRoot`. */
export function meteredSizes(workspaceRoot: string): (body: Record<string, unknown>) => Record<string, unknown> {
  return (body) => {
    const fileSystems = Array.isArray(body.FileSystems) ? (body.FileSystems as Record<string, unknown>[]) : [];
    for (const fs of fileSystems) {
      const bytes = bytesBelow(join(workspaceRoot, String(fs.FileSystemId)));
      fs.SizeInBytes = { ...(fs.SizeInBytes as Record<string, unknown> | undefined), Value: bytes, ValueInStandard: bytes, ValueInIA: 0, ValueInArchive: 0 };
    }
    return body;
  };
}

/** Forwards to moto; a successful JSON answer passes through `edit` first. */
export function forwardEdited(moto: string, req: IncomingMessage, body: Buffer, res: ServerResponse, edit: (body: Record<string, unknown>) => Record<string, unknown>): void {
  const target = new URL(req.url ?? '/', moto);
  const upstream = httpRequest(target, { method: req.method, headers: { ...req.headers, host: target.host, 'content-length': String(body.length) } }, (motoRes) => {
    const chunks: Buffer[] = [];
    motoRes.on('data', (chunk: Buffer) => chunks.push(chunk));
    motoRes.on('end', () => {
      let text = Buffer.concat(chunks).toString('utf8');
      const status = motoRes.statusCode ?? 502;
      if (status < 300 && text.trim().startsWith('{')) text = JSON.stringify(edit(JSON.parse(text) as Record<string, unknown>));
      const headers = { ...motoRes.headers, 'content-length': String(Buffer.byteLength(text)) };
      delete headers['transfer-encoding'];
      res.writeHead(status, headers);
      res.end(text);
    });
  });
  upstream.on('error', (error) => restJsonError(res, 502, 'StandInForwardError', error.message));
  upstream.end(body);
}
