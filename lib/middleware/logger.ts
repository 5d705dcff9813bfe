import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { MiddlewareObj } from '@middy/core';
import { isRecord } from '../guards.js';

/**
 * The Lambdas' one logger (Powertools for AWS Lambda): JSON lines with the level, the service, cold_start, the
 * function's name and request id, and the deployment's keys. The level comes from POWERTOOLS_LOG_LEVEL (or Lambda's
 * own log level setting); outside Lambda (tests, the local runner, the CLI) it is silent unless that variable asks.
 */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'gpu-deploy',
  ...(process.env.AWS_LAMBDA_FUNCTION_NAME || process.env.POWERTOOLS_LOG_LEVEL ? {} : { logLevel: 'SILENT' }),
});

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/**
 * The deployment an event belongs to, wherever that event keeps it: a workflow document (`deploymentId`,
 * `execution.name` / `execution.id` from the state machine's context object), an API path (`/deployments/{id}`),
 * an EventBridge detail. Keys that are absent are left out.
 *
 * @example
 * deploymentKeys({ execution: { id: 'arn:aws:states:…:execution:sm:abc', name: 'abc' } }); // { deploymentId: 'abc', executionArn: 'arn:…' }
 */
export function deploymentKeys(event: unknown): { deploymentId?: string; executionArn?: string } {
  if (!isRecord(event)) return {};
  const execution = isRecord(event.execution) ? event.execution : {};
  const path = isRecord(event.pathParameters) ? event.pathParameters : {};
  const detail = isRecord(event.detail) ? event.detail : {};
  const deploymentId = text(event.deploymentId) ?? text(execution.name) ?? text(path.id) ?? text(detail.deploymentId);
  const executionArn = [event.executionArn, execution.id, detail.executionArn].map(text).find((v) => v?.startsWith('arn:'));
  return { ...(deploymentId ? { deploymentId } : {}), ...(executionArn ? { executionArn } : {}) };
}

/**
 * Middy middleware: the Powertools Logger's Lambda context (cold_start, function_request_id, …) plus the event's
 * deploymentId and executionArn as persistent keys for this invocation, so one Logs Insights query
 * (`filter deploymentId = "…"`) follows a deployment through every Lambda. Keys are reset after each invocation.
 *
 * @example
 * middy(fn).use(deploymentLogging()).use(namedErrors({ functionName: 'launch' }));
 */
export function deploymentLogging(options: { logger?: Logger } = {}): MiddlewareObj {
  const target = options.logger ?? logger;
  const context = injectLambdaContext(target, { resetKeys: true });
  return {
    before: async function appendDeploymentKeys(request) {
      await context.before?.(request as never);
      target.appendKeys(deploymentKeys(request.event));
    },
    after: async function resetKeys(request) {
      await context.after?.(request as never);
    },
    onError: async function resetKeysOnError(request) {
      await context.onError?.(request as never);
    },
  };
}

/** Where lib/ modules send their structured log entries; handlers pass lambdaLog, tests a collector. */
export type LogSink = (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

/** A LogSink writing through the Powertools logger (with the invocation's keys). */
export const lambdaLog: LogSink = (level, message, fields = {}) => logger[level](message, fields);
