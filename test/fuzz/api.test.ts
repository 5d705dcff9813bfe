/**
 * Bad input through the API's POST /deployments handler (functions/api-start.ts), Step Functions mocked: every bad
 * body or Idempotency-Key ends in a 400 with a named error and starts no execution; no body ever gets a 500.
 */
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { handler } from '../../functions/api-start.js';
import { resetClients } from '../../lib/aws/clients.js';
import { badRequest, hostileString, RUNS, validRequest, visibleMutations } from './arbitraries.js';

const sfn = mockClient(SFNClient);
const STATE_MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:gpu-deploy-dev-deploy';
const context = { functionName: 'apiStart', getRemainingTimeInMillis: () => 30_000 } as never;
const saved = { arn: process.env.DEPLOY_STATE_MACHINE_ARN, region: process.env.AWS_REGION };

beforeAll(() => {
  process.env.DEPLOY_STATE_MACHINE_ARN = STATE_MACHINE;
  process.env.AWS_REGION = 'us-east-1';
  resetClients();
});

afterAll(() => {
  if (saved.arn === undefined) delete process.env.DEPLOY_STATE_MACHINE_ARN;
  else process.env.DEPLOY_STATE_MACHINE_ARN = saved.arn;
  if (saved.region === undefined) delete process.env.AWS_REGION;
  else process.env.AWS_REGION = saved.region;
  resetClients();
});

beforeEach(() => {
  sfn.reset();
  sfn.on(StartExecutionCommand).callsFake((input: { name: string }) => ({ executionArn: `${STATE_MACHINE.replace(':stateMachine:', ':execution:')}:${input.name}`, startDate: new Date() }));
});

async function post(body: string | null, headers: Record<string, string> = {}, isBase64Encoded = false) {
  const response = (await handler({ httpMethod: 'POST', resource: '/deployments', path: '/deployments', body, headers, isBase64Encoded, requestContext: { requestId: 'fuzz' } } as never, context)) as { statusCode: number; body: string };
  return { status: response.statusCode, body: JSON.parse(response.body) as Record<string, unknown> };
}

describe('POST /deployments: bad input corpus', () => {
  test('bodies with a bad field are 400 RequestInvalidError naming it; no execution starts', async () => {
    await fc.assert(
      fc.asyncProperty(badRequest, async ({ request, mutations }) => {
        const text = JSON.stringify(request);
        const visible = visibleMutations(JSON.parse(text) as Record<string, unknown>, mutations);
        fc.pre(visible.length > 0);
        sfn.resetHistory();
        const { status, body } = await post(text, { 'content-type': 'application/json' });
        expect({ status, error: body.error }).toEqual({ status: 400, error: 'RequestInvalidError' });
        for (const m of visible) expect(String(body.message)).toContain(m.mentions);
        expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
      }),
      RUNS,
    );
  });

  test('bodies that are not a JSON object are 400 RequestInvalidError', async () => {
    const body = fc.oneof(
      hostileString,
      fc.constantFrom('', '   ', '[]', 'null', '42', '"g5.xlarge"', '{', '{"instanceType": }', 'true'),
      fc.json().filter((t) => !t.trim().startsWith('{')),
    );
    await fc.assert(
      fc.asyncProperty(body, fc.boolean(), async (text, base64) => {
        sfn.resetHistory();
        const { status, body: answer } = await post(base64 ? Buffer.from(text).toString('base64') : text, {}, base64);
        expect({ status, error: answer.error }).toEqual({ status: 400, error: 'RequestInvalidError' });
        expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
      }),
      RUNS,
    );
  });

  test('a hostile Idempotency-Key is 400 DeploymentIdInvalidError; no execution starts', async () => {
    const key = fc.oneof(hostileString, fc.constantFrom('', 'a'.repeat(81), 'x/../../y', 'arn:aws:states:x', 'a b'));
    await fc.assert(
      fc.asyncProperty(key, validRequest, async (idempotencyKey, request) => {
        sfn.resetHistory();
        const { status, body } = await post(JSON.stringify(request), { 'Idempotency-Key': idempotencyKey });
        expect({ status, error: body.error }).toEqual({ status: 400, error: 'DeploymentIdInvalidError' });
        expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
      }),
      RUNS,
    );
  });

  test('any JSON body is 202 with the validated request, or a 400 with a named error; never a 500', async () => {
    const body = fc.oneof(fc.json({ maxDepth: 3 }), validRequest.map((r) => JSON.stringify(r)), fc.dictionary(fc.constantFrom('instanceType', 'ollama', 'tags', 'market'), fc.jsonValue({ maxDepth: 2 })).map((d) => JSON.stringify(d)));
    await fc.assert(
      fc.asyncProperty(body, async (text) => {
        sfn.resetHistory();
        const { status, body: answer } = await post(text);
        expect([202, 400]).toContain(status);
        if (status === 400) {
          expect(answer.error).toBe('RequestInvalidError');
          expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
        } else {
          const calls = sfn.commandCalls(StartExecutionCommand);
          expect(calls).toHaveLength(1);
          // The state machine gets the validated request with its defaults, never the raw body.
          expect(JSON.parse(calls[0]?.args[0].input.input ?? '{}')).toEqual(answer.request);
        }
      }),
      RUNS,
    );
  });
});
