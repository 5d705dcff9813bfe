import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../lib/local/paths.js';
import { readDefinition, taskFunctions } from '../../lib/workflow/definition.js';

// The real `serverless package` (osls, offline), then the artifact as AWS would receive it.
const root = repoRoot();
const out = mkdtempSync(join(tmpdir(), 'gpu-deploy-package-'));
type Template = { Resources: Record<string, { Type: string; Properties: Record<string, any> }>; Outputs: Record<string, unknown> };
let template: Template;

const FUNCTIONS = ['validateRequest', 'resolveAmi', 'planCapacity', 'launch', 'checkRunning', 'checkManaged', 'verifyGpu', 'getGpuReport', 'rollback'];
const logicalId = (fn: string): string => `${fn[0]!.toUpperCase()}${fn.slice(1)}`;

/** The actions each function's role may have: exactly what its code calls (plus its logs). */
const EXPECTED_ACTIONS: Record<string, string[]> = {
  validateRequest: ['ec2:DescribeInstanceTypeOfferings', 'ec2:DescribeInstanceTypes'],
  resolveAmi: ['ec2:DescribeImages', 'ssm:GetParameter'],
  planCapacity: ['ec2:DescribeSpotPriceHistory', 'pricing:GetProducts'],
  launch: ['ec2:CreateSecurityGroup', 'ec2:CreateTags', 'ec2:DescribeInstances', 'ec2:DescribeSecurityGroups', 'ec2:DescribeSubnets', 'ec2:RunInstances', 'iam:PassRole'],
  checkRunning: ['ec2:DescribeInstances'],
  checkManaged: ['ssm:DescribeInstanceInformation'],
  verifyGpu: ['ssm:SendCommand'],
  getGpuReport: ['ssm:GetCommandInvocation'],
  rollback: ['ec2:DeleteSecurityGroup', 'ec2:DescribeInstances', 'ec2:DescribeSecurityGroups', 'ec2:TerminateInstances'],
};

beforeAll(() => {
  execFileSync(join(root, 'node_modules', '.bin', 'serverless'), ['package', '--package', out, '--stage', 'test', '--region', 'eu-west-1'], {
    cwd: root,
    env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' },
    stdio: 'pipe',
  });
  template = JSON.parse(readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
}, 180_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

test('the template holds the deploy state machine with every Task wired to its function', () => {
  const machine = template.Resources.DeployStateMachine;
  expect(machine?.Type).toBe('AWS::StepFunctions::StateMachine');
  const [body, substitutions] = machine!.Properties.DefinitionString['Fn::Sub'] as [string, Record<string, unknown>];
  const definition = JSON.parse(body) as { States: Record<string, { Resource?: string }> };
  for (const [state, fn] of Object.entries(taskFunctions(readDefinition()))) {
    const placeholder = /^\$\{(\w+)\}$/.exec(definition.States[state]?.Resource ?? '')?.[1];
    expect(placeholder).toBeDefined();
    expect(substitutions[placeholder!]).toEqual({ 'Fn::GetAtt': [`${logicalId(fn)}LambdaFunction`, 'Arn'] });
  }
  expect(template.Outputs).toHaveProperty('DeployStateMachineArn');
});

test('every function runs on nodejs22.x with its own role', () => {
  for (const fn of FUNCTIONS) {
    const resource = template.Resources[`${logicalId(fn)}LambdaFunction`];
    expect(resource?.Properties.Runtime).toBe('nodejs22.x');
    expect(resource?.Properties.Role).toEqual({ 'Fn::GetAtt': [`${logicalId(fn)}Role`, 'Arn'] });
  }
  const roles = FUNCTIONS.map((fn) => template.Resources[`${logicalId(fn)}LambdaFunction`]!.Properties.Role['Fn::GetAtt'][0]);
  expect(new Set(roles).size).toBe(FUNCTIONS.length);
});

test("each role allows exactly the actions its function calls, and no '*' action", () => {
  for (const fn of FUNCTIONS) {
    const statements = (template.Resources[`${logicalId(fn)}Role`]!.Properties.Policies as { PolicyDocument: { Statement: { Action: string | string[] }[] } }[])
      .flatMap((p) => p.PolicyDocument.Statement)
      .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    const own = [...new Set(statements.filter((a) => !a.startsWith('logs:')))].sort();
    expect({ fn, actions: own }).toEqual({ fn, actions: EXPECTED_ACTIONS[fn] });
    expect(statements.some((a) => a.includes('*'))).toBe(false);
  }
});

test('instances get an SSM-only instance profile, and rollback may only terminate what gpu-deploy tagged', () => {
  expect(template.Resources.GpuInstanceRole?.Properties.ManagedPolicyArns).toEqual([{ 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/AmazonSSMManagedInstanceCore' }]);
  const rollback = (template.Resources.RollbackRole!.Properties.Policies as { PolicyDocument: { Statement: Record<string, any>[] } }[]).flatMap((p) => p.PolicyDocument.Statement);
  const terminate = rollback.find((s) => [s.Action].flat().includes('ec2:TerminateInstances'));
  expect(terminate?.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/gpu-deploy:managed-by': 'gpu-deploy' } });
});

test('every bundled handler imports under Node 22 and answers a bad request with a named error', () => {
  const unpacked = join(out, 'unpacked');
  for (const fn of FUNCTIONS) {
    const zip = join(out, `${fn}.zip`);
    expect(statSync(zip).size).toBeGreaterThan(1000);
    execFileSync('python3', ['-m', 'zipfile', '-e', zip, join(unpacked, fn)]);
  }
  expect(readdirSync(join(unpacked, 'verifyGpu', 'lib', 'verify'))).toContain('health-check.sh');
  const script = `
    const names = ${JSON.stringify(FUNCTIONS)};
    const files = { validateRequest: 'validate-request', resolveAmi: 'resolve-ami', planCapacity: 'plan-capacity', launch: 'launch', checkRunning: 'check-running', checkManaged: 'check-managed', verifyGpu: 'verify-gpu', getGpuReport: 'get-gpu-report', rollback: 'rollback' };
    const report = {};
    for (const fn of names) {
      const mod = await import(${JSON.stringify(unpacked)} + '/' + fn + '/functions/' + files[fn] + '.mjs');
      report[fn] = typeof mod.handler;
    }
    const { handler } = await import(${JSON.stringify(unpacked)} + '/validateRequest/functions/validate-request.mjs');
    try { await handler({ request: { instanceType: 'g5.xlarge', osType: 'windows' }, execution: { id: 'x', name: 'x', startTime: 'x' } }, {}); report.error = 'none'; }
    catch (e) { report.error = e.name; }
    process.stdout.write(JSON.stringify({ node: process.versions.node, report }));
  `;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, AWS_REGION: 'eu-west-1' } });
  expect(run.stderr).not.toContain('Dynamic require');
  const result = JSON.parse(run.stdout) as { node: string; report: Record<string, string> };
  expect(Number(result.node.split('.')[0])).toBeGreaterThanOrEqual(22);
  for (const fn of FUNCTIONS) expect(result.report[fn]).toBe('function');
  expect(result.report.error).toBe('RequestInvalidError');
});
