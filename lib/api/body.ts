import httpJsonBodyParser from '@middy/http-json-body-parser';
import type { MiddlewareObj } from '@middy/core';
import { RequestInvalidError } from '../errors.js';
import { preview } from '../request-fields.js';

// Any content type is read as JSON, as the API always has (callers such as awscurl often send none).
const parser = httpJsonBodyParser({ disableContentTypeCheck: true });

interface BodyEvent {
  httpMethod?: string;
  body?: unknown;
  isBase64Encoded?: boolean;
  headers?: Record<string, string | undefined> | null;
}

interface ParserError {
  statusCode?: number;
  message?: string;
  cause?: { package?: string; data?: unknown; message?: string };
}

/**
 * The body as JSON, read by middy's JSON body parser (base64 decoded when API Gateway encoded it, prototype keys
 * refused); a missing, empty or non-JSON body is a RequestInvalidError (400) saying what to send.
 *
 * @example
 * parseBody({ body: '{"instanceType": "g5.xlarge"}' }); // { instanceType: 'g5.xlarge' }
 */
export function parseBody(event: BodyEvent): unknown {
  const raw = typeof event.body === 'string' ? event.body : '';
  const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  if (text.trim() === '') {
    throw new RequestInvalidError('The request body is empty', { hint: 'Send a JSON deployment request such as {"instanceType": "g5.xlarge"} (see examples/)' });
  }
  const request = { event: { ...event, body: raw } };
  try {
    void parser.before?.(request as never);
  } catch (error) {
    const { cause, message } = error as ParserError;
    if (cause?.message === undefined && cause?.data !== undefined) {
      const problem = `${preview(cause.data)} is not a known field (a prototype key, refused as the body is read)`;
      throw new RequestInvalidError(`The deployment request is invalid: ${problem}`, { hint: 'Remove that key from the body', details: { problems: [problem] } });
    }
    throw new RequestInvalidError(`The request body is not JSON: ${cause?.message ?? message}`, { hint: 'Send a JSON object with content-type application/json' });
  }
  return request.event.body;
}

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/** Middy middleware: `event.body` of a POST, PUT or PATCH becomes the parsed JSON (see parseBody). */
export const jsonBody = (): MiddlewareObj<BodyEvent> => ({
  before: function readJsonBody(request) {
    if (!METHODS_WITH_BODY.has(request.event.httpMethod ?? '')) return;
    request.event.body = parseBody(request.event);
    request.event.isBase64Encoded = false;
  },
});
