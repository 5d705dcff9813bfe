import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../lib/local/paths.js';
import { DEPLOY_DEFINITION_PATH, TEARDOWN_DEFINITION_PATH, readDefinition, taskFunctions } from '../../lib/workflow/definition.js';

// The real `serverless package` (osls, offline), then the artifact as AWS would receive it.
const root = repoRoot();
const out = mkdtempSync(join(tmpdir(), 'gpu-deploy-package-'));
type Template = { Resources: Record<string, { Type: string; Properties: Record<string, any> }>; Outputs: Record<string, unknown> };
let template: Template;

const FUNCTIONS = [
  'validateRequest', 'resolveAmi', 'planCapacity', 'ensureWorkspace', 'launch', 'checkRunning', 'checkMountTarget', 'checkManaged', 'verifyGpu', 'getGpuReport', 'rollback', 'notify',
  'apiStart', 'apiStatus', 'apiList', 'apiTeardown', 'eventStart', 'spotInterruption', 'scheduleTeardown', 'instanceEnded',
];
/** functions/<file>.ts of each function. */
const FILES: Record<string, string> = {
  validateRequest: 'validate-request', resolveAmi: 'resolve-ami', planCapacity: 'plan-capacity', ensureWorkspace: 'ensure-workspace', checkMountTarget: 'check-mount-target', launch: 'launch', checkRunning: 'check-running',
  checkManaged: 'check-managed', verifyGpu: 'verify-gpu', getGpuReport: 'get-gpu-report', rollback: 'rollback', notify: 'notify',
  apiStart: 'api-start', apiStatus: 'api-status', apiList: 'api-list', apiTeardown: 'api-teardown', eventStart: 'event-start', spotInterruption: 'spot-interruption',
  scheduleTeardown: 'schedule-teardown', instanceEnded: 'instance-ended',
};
const logicalId = (fn: string): string => `${fn[0]!.toUpperCase()}${fn.slice(1)}`;

/** The actions each function's role may have: exactly what its code calls (plus its logs). */
const EXPECTED_ACTIONS: Record<string, string[]> = {
  validateRequest: ['ec2:DescribeInstanceTypeOfferings', 'ec2:DescribeInstanceTypes'],
  resolveAmi: ['ec2:DescribeImages', 'ssm:GetParameter'],
  planCapacity: ['ec2:DescribeAvailabilityZones', 'ec2:DescribeInstanceTypeOfferings', 'ec2:DescribeInstanceTypes', 'ec2:DescribeSpotPriceHistory', 'ec2:GetSpotPlacementScores', 'pricing:GetProducts', 'servicequotas:GetServiceQuota'],
  // CreateMountTarget makes the mount target's network interface with the caller's permissions (AWS requires both).
  ensureWorkspace: [
    'ec2:AuthorizeSecurityGroupIngress', 'ec2:CreateNetworkInterface', 'ec2:CreateSecurityGroup', 'ec2:CreateTags', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSecurityGroups', 'ec2:DescribeSubnets', 'ec2:DescribeVpcAttribute',
    'elasticfilesystem:CreateFileSystem', 'elasticfilesystem:CreateMountTarget', 'elasticfilesystem:DescribeFileSystems', 'elasticfilesystem:DescribeLifecycleConfiguration', 'elasticfilesystem:DescribeMountTargets', 'elasticfilesystem:PutLifecycleConfiguration', 'elasticfilesystem:TagResource',
  ],
  checkMountTarget: ['elasticfilesystem:DescribeMountTargets'],
  launch: ['ec2:CreateSecurityGroup', 'ec2:CreateTags', 'ec2:DescribeInstances', 'ec2:DescribeSecurityGroups', 'ec2:DescribeSubnets', 'ec2:RunInstances', 'iam:CreateServiceLinkedRole', 'iam:PassRole'],
  checkRunning: ['ec2:DescribeInstances', 'ec2:GetEbsDefaultKmsKeyId'],
  checkManaged: ['ec2:DescribeInstances', 'ssm:DescribeInstanceInformation'],
  verifyGpu: ['ssm:SendCommand'],
  getGpuReport: ['ec2:CreateTags', 'ssm:GetCommandInvocation'],
  rollback: ['ec2:DeleteSecurityGroup', 'ec2:DescribeInstances', 'ec2:DescribeSecurityGroups', 'ec2:TerminateInstances', 'scheduler:DeleteSchedule', 'states:DescribeExecution'],
  notify: ['events:PutEvents'],
  apiStart: ['states:StartExecution'],
  apiStatus: ['states:DescribeExecution'],
  apiList: ['ec2:DescribeInstances', 'ec2:DescribeRegions'],
  apiTeardown: ['states:DescribeExecution', 'states:StartExecution'],
  eventStart: ['events:PutEvents', 'states:StartExecution'],
  spotInterruption: ['ec2:CreateTags', 'ec2:DescribeInstances', 'events:PutEvents', 'states:DescribeExecution', 'states:StartExecution'],
  scheduleTeardown: ['iam:PassRole', 'scheduler:CreateSchedule', 'scheduler:UpdateSchedule'],
  instanceEnded: ['ec2:DescribeInstances', 'states:StartExecution'],
};

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
const statementsOf = (roleId: string): Statement[] =>
  (template.Resources[roleId]!.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[]).flatMap((p) => p.PolicyDocument.Statement);
const actionsOf = (statement: Statement): string[] => [statement.Action].flat();

beforeAll(() => {
  execFileSync(join(root, 'node_modules', '.bin', 'serverless'), ['package', '--package', out, '--stage', 'test', '--region', 'eu-west-1'], {
    cwd: root,
    env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' },
    stdio: 'pipe',
  });
  template = JSON.parse(readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
}, 180_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

test.each([
  ['DeployStateMachine', DEPLOY_DEFINITION_PATH, 'DeployStateMachineArn'],
  ['TeardownStateMachine', TEARDOWN_DEFINITION_PATH, 'TeardownStateMachineArn'],
])('the template holds %s (%s) with every Task wired to its function, and its ARN as output', (id, path, output) => {
  const machine = template.Resources[id];
  expect(machine?.Type).toBe('AWS::StepFunctions::StateMachine');
  const [body, substitutions] = machine!.Properties.DefinitionString['Fn::Sub'] as [string, Record<string, unknown>];
  const definition = JSON.parse(body) as { States: Record<string, { Resource?: string }> };
  for (const [state, fn] of Object.entries(taskFunctions(readDefinition(path)))) {
    const placeholder = /^\$\{(\w+)\}$/.exec(definition.States[state]?.Resource ?? '')?.[1];
    expect(placeholder).toBeDefined();
    expect(substitutions[placeholder!]).toEqual({ 'Fn::GetAtt': [`${logicalId(fn)}LambdaFunction`, 'Arn'] });
  }
  expect(template.Outputs).toHaveProperty(output);
  expect((template.Outputs[output] as { Value: unknown }).Value).toEqual({ Ref: id });
});

test.each([
  ['DeployStateMachine', DEPLOY_DEFINITION_PATH],
  ['TeardownStateMachine', TEARDOWN_DEFINITION_PATH],
])('the role of %s may only invoke the functions its definition names', (id, path) => {
  // Prepare
  const roleId = (template.Resources[id]!.Properties.RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const statements = statementsOf(roleId);
  const functions = [...new Set(Object.values(taskFunctions(readDefinition(path))))].map((fn) => `${logicalId(fn)}LambdaFunction`).sort();

  // Assess
  expect(template.Resources[roleId]!.Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ Service: { 'Fn::Sub': 'states.${AWS::Region}.amazonaws.com' } });
  expect([...new Set(statements.flatMap(actionsOf))]).toEqual(['lambda:InvokeFunction']);
  const invoked = statements.flatMap((s) => [s.Resource].flat()).map((r) => JSON.stringify(r).match(/"(\w+LambdaFunction)"/)?.[1]);
  expect([...new Set(invoked)].sort()).toEqual(functions);
});

test('the API: four routes, each IAM-authorised (no open endpoint), each to its own function', () => {
  // Prepare
  const methods = Object.values(template.Resources).filter((r) => r.Type === 'AWS::ApiGateway::Method');
  // GET /deployments sits on the collection resource, GET /deployments/{id} on the {id} one.
  const onCollection = (m: (typeof methods)[number]) => !JSON.stringify(m.Properties.ResourceId).includes('IdVar');
  const route = (method: string, collection: boolean) => methods.find((m) => m.Properties.HttpMethod === method && (method !== 'GET' || onCollection(m) === collection))!;

  // Assess
  expect(methods.map((m) => m.Properties.HttpMethod).sort()).toEqual(['DELETE', 'GET', 'GET', 'POST']);
  for (const method of methods) expect({ method: method.Properties.HttpMethod, auth: method.Properties.AuthorizationType }).toEqual({ method: method.Properties.HttpMethod, auth: 'AWS_IAM' });
  const target = (method: string, collection = false) => JSON.stringify(route(method, collection).Properties.Integration.Uri).match(/"(\w+)LambdaFunction"/)?.[1];
  expect([target('POST'), target('GET', true), target('GET'), target('DELETE')]).toEqual(['ApiStart', 'ApiList', 'ApiStatus', 'ApiTeardown']);
  const resources = Object.values(template.Resources).filter((r) => r.Type === 'AWS::ApiGateway::Resource').map((r) => r.Properties.PathPart);
  expect(resources.sort()).toEqual(['deployments', '{id}']);
  expect(template.Outputs).toHaveProperty('ServiceEndpoint');
});

test('the EventBridge rules: deployment requests, spot interruption warnings and terminated instances, each to its function', () => {
  // Prepare: the rules that target functions (the safety-net rule targets the teardown state machine).
  const rules = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Events::Rule' && r.Properties.Targets[0].Arn['Fn::GetAtt']);
  const byTarget = Object.fromEntries(rules.map((r) => [r.Properties.Targets[0].Arn['Fn::GetAtt'][0], r.Properties]));

  // Assess
  expect(rules).toHaveLength(3);
  expect(byTarget.EventStartLambdaFunction).toMatchObject({ State: 'ENABLED', EventPattern: { source: ['gpu-deploy.requests'], 'detail-type': ['GPU Deployment Requested'] } });
  expect(byTarget.SpotInterruptionLambdaFunction).toMatchObject({ State: 'ENABLED', EventPattern: { source: ['aws.ec2'], 'detail-type': ['EC2 Spot Instance Interruption Warning'] } });
  const permissions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Permission' && r.Properties.Principal === 'events.amazonaws.com');
  expect(permissions.map((p) => p.Properties.FunctionName['Fn::GetAtt'][0]).sort()).toEqual(['EventStartLambdaFunction', 'InstanceEndedLambdaFunction', 'SpotInterruptionLambdaFunction']);
  // Every terminated instance: the rule cannot filter on tags, so the function decides by them.
  expect(byTarget.InstanceEndedLambdaFunction).toMatchObject({ State: 'ENABLED' });
  expect(byTarget.InstanceEndedLambdaFunction?.EventPattern).toEqual({ source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'], detail: { state: ['terminated'] } });
});

test('the lifetime: a schedule group; the scheduler role may only start the teardown state machine; the functions that use it', () => {
  expect(template.Resources.TeardownScheduleGroup).toMatchObject({ Type: 'AWS::Scheduler::ScheduleGroup', Properties: { Name: 'gpu-deploy-test' } });
  const role = template.Resources.TeardownSchedulerRole!;
  expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
    { Effect: 'Allow', Principal: { Service: 'scheduler.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } },
  ]);
  expect(role.Properties).not.toHaveProperty('ManagedPolicyArns');
  expect(statementsOf('TeardownSchedulerRole')).toEqual([{ Effect: 'Allow', Action: 'states:StartExecution', Resource: { Ref: 'TeardownStateMachine' } }]);
  // Schedules only in the stack's group; the role passed only to Scheduler.
  const inGroup = { 'Fn::Sub': 'arn:${AWS::Partition}:scheduler:${AWS::Region}:${AWS::AccountId}:schedule/${TeardownScheduleGroup}/*' };
  expect(statementsOf('ScheduleTeardownRole').find((s) => actionsOf(s).includes('scheduler:CreateSchedule'))?.Resource).toEqual(inGroup);
  expect(statementsOf('ScheduleTeardownRole').find((s) => actionsOf(s).includes('iam:PassRole'))).toMatchObject({
    Resource: { 'Fn::GetAtt': ['TeardownSchedulerRole', 'Arn'] },
    Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
  });
  expect(statementsOf('RollbackRole').find((s) => actionsOf(s).includes('scheduler:DeleteSchedule'))?.Resource).toEqual(inGroup);
  expect(template.Resources.ScheduleTeardownLambdaFunction!.Properties.Environment.Variables).toMatchObject({
    GPU_DEPLOY_SCHEDULE_GROUP: { Ref: 'TeardownScheduleGroup' },
    GPU_DEPLOY_SCHEDULER_ROLE_ARN: { 'Fn::GetAtt': ['TeardownSchedulerRole', 'Arn'] },
    TEARDOWN_STATE_MACHINE_ARN: { Ref: 'TeardownStateMachine' },
  });
  expect(template.Resources.RollbackLambdaFunction!.Properties.Environment.Variables).toMatchObject({ GPU_DEPLOY_SCHEDULE_GROUP: { Ref: 'TeardownScheduleGroup' } });
  expect(statementsOf('InstanceEndedRole').filter((s) => actionsOf(s).includes('states:StartExecution')).map((s) => s.Resource)).toEqual([{ Ref: 'TeardownStateMachine' }]);
  expect(template.Outputs).toHaveProperty('TeardownScheduleGroupName');
  expect(template.Outputs).toHaveProperty('TeardownSchedulerRoleArn');
});

test('the entry points get their state machines by reference, and start only them', () => {
  for (const fn of ['apiStart', 'apiStatus', 'apiTeardown', 'eventStart', 'spotInterruption']) {
    expect(template.Resources[`${logicalId(fn)}LambdaFunction`]!.Properties.Environment.Variables.DEPLOY_STATE_MACHINE_ARN).toEqual({ Ref: 'DeployStateMachine' });
  }
  expect(template.Resources.ApiTeardownLambdaFunction!.Properties.Environment.Variables.TEARDOWN_STATE_MACHINE_ARN).toEqual({ Ref: 'TeardownStateMachine' });
  const start = (roleId: string) => statementsOf(roleId).filter((s) => actionsOf(s).includes('states:StartExecution')).map((s) => s.Resource);
  expect(start('ApiStartRole')).toEqual([{ Ref: 'DeployStateMachine' }]);
  expect(start('EventStartRole')).toEqual([{ Ref: 'DeployStateMachine' }]);
  expect(start('SpotInterruptionRole')).toEqual([{ Ref: 'DeployStateMachine' }]);
  expect(start('ApiTeardownRole')).toEqual([{ Ref: 'TeardownStateMachine' }]);
  const describe = statementsOf('ApiStatusRole').find((s) => actionsOf(s).includes('states:DescribeExecution'));
  expect(JSON.stringify(describe?.Resource)).toContain(':execution:gpu-deploy-test-deploy:*');
  const tag = statementsOf('SpotInterruptionRole').find((s) => actionsOf(s).includes('ec2:CreateTags'));
  expect(tag?.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/gpu-deploy:managed-by': 'gpu-deploy' }, 'ForAllValues:StringEquals': { 'aws:TagKeys': ['gpu-deploy:interrupted-at'] } });
  const put = statementsOf('NotifyRole').find((s) => actionsOf(s).includes('events:PutEvents'));
  expect(JSON.stringify(put?.Resource)).toContain('event-bus/default');
});

test('an execution that failed (States.Runtime skips Rollback), timed out or was aborted is torn down by a rule, in the deployment\'s region', () => {
  const rule = template.Resources.UnfinishedDeploymentRule!;
  expect(rule.Type).toBe('AWS::Events::Rule');
  expect(rule.Properties.EventPattern).toEqual({
    source: ['aws.states'],
    'detail-type': ['Step Functions Execution Status Change'],
    detail: { status: ['FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: [{ Ref: 'DeployStateMachine' }] },
  });
  const [target] = rule.Properties.Targets as Record<string, any>[];
  expect(target?.Arn).toEqual({ Ref: 'TeardownStateMachine' });
  // Not the event's `region` (the stack's): the teardown reads the deployment's region from the execution.
  expect(target?.InputTransformer).toEqual({
    InputPathsMap: { name: '$.detail.name', executionArn: '$.detail.executionArn' },
    InputTemplate: '{"deploymentId": <name>, "executionArn": <executionArn>}',
  });
  expect(JSON.stringify(target?.InputTransformer)).not.toContain('$.region');
  const describe = statementsOf('RollbackRole').find((s) => actionsOf(s).includes('states:DescribeExecution'));
  expect(JSON.stringify(describe?.Resource)).toContain(':execution:gpu-deploy-test-deploy:*');
  const statements = (template.Resources.UnfinishedDeploymentRuleRole!.Properties.Policies as { PolicyDocument: { Statement: Record<string, unknown>[] } }[]).flatMap((p) => p.PolicyDocument.Statement);
  expect(statements).toEqual([{ Effect: 'Allow', Action: 'states:StartExecution', Resource: { Ref: 'TeardownStateMachine' } }]);
});

test('launch may tag only what it creates', () => {
  const statements = (template.Resources.LaunchRole!.Properties.Policies as { PolicyDocument: { Statement: Record<string, any>[] } }[]).flatMap((p) => p.PolicyDocument.Statement);
  const tagging = statements.filter((s) => [s.Action].flat().includes('ec2:CreateTags'));
  expect(tagging).toEqual([expect.objectContaining({ Condition: { StringEquals: { 'ec2:CreateAction': ['RunInstances', 'CreateSecurityGroup'] } } })]);
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

test('the workspace: created only encrypted and tagged managed-by, tags only at creation, changed only when gpu-deploy made it; no role can delete one', () => {
  const ensure = statementsOf('EnsureWorkspaceRole');
  const fileSystems = { 'Fn::Sub': 'arn:${AWS::Partition}:elasticfilesystem:*:${AWS::AccountId}:file-system/*' };
  expect(ensure.find((s) => actionsOf(s).includes('elasticfilesystem:CreateFileSystem'))).toEqual({
    Effect: 'Allow',
    Action: 'elasticfilesystem:CreateFileSystem',
    Resource: fileSystems,
    Condition: { StringEquals: { 'aws:RequestTag/gpu-deploy:managed-by': 'gpu-deploy' }, Bool: { 'elasticfilesystem:Encrypted': 'true' } },
  });
  expect(ensure.find((s) => actionsOf(s).includes('elasticfilesystem:TagResource'))?.Condition).toEqual({ StringEquals: { 'elasticfilesystem:CreateAction': 'CreateFileSystem' } });
  for (const action of ['elasticfilesystem:CreateMountTarget', 'elasticfilesystem:PutLifecycleConfiguration', 'ec2:AuthorizeSecurityGroupIngress']) {
    expect({ action, condition: ensure.find((s) => actionsOf(s).includes(action))?.Condition }).toEqual({ action, condition: { StringEquals: { 'aws:ResourceTag/gpu-deploy:managed-by': 'gpu-deploy' } } });
  }
  expect(ensure.find((s) => actionsOf(s).includes('ec2:CreateTags'))?.Condition).toEqual({ StringEquals: { 'ec2:CreateAction': 'CreateSecurityGroup' } });
  const deleting = Object.entries(EXPECTED_ACTIONS).flatMap(([fn, actions]) => actions.filter((a) => /^elasticfilesystem:Delete/.test(a)).map((a) => `${fn}: ${a}`));
  expect(deleting).toEqual([]);
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
    const files = ${JSON.stringify(FILES)};
    const report = {};
    for (const fn of names) {
      const mod = await import(${JSON.stringify(unpacked)} + '/' + fn + '/functions/' + files[fn] + '.mjs');
      report[fn] = typeof mod.handler;
    }
    const { handler } = await import(${JSON.stringify(unpacked)} + '/validateRequest/functions/validate-request.mjs');
    try { await handler({ request: { instanceType: 'g5.xlarge', osType: 'windows' }, execution: { id: 'x', name: 'x', startTime: 'x' } }, {}); report.error = 'none'; }
    catch (e) { report.error = e.name; }
    const api = await import(${JSON.stringify(unpacked)} + '/apiStart/functions/api-start.mjs');
    process.env.DEPLOY_STATE_MACHINE_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:gpu-deploy-test-deploy';
    const answer = await api.handler({ httpMethod: 'POST', resource: '/deployments', path: '/deployments', body: '{"osType":"windows"}' }, {});
    report.api = answer.statusCode + ' ' + JSON.parse(answer.body).error;
    process.stdout.write(JSON.stringify({ node: process.versions.node, report }));
  `;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, AWS_REGION: 'eu-west-1' } });
  expect(run.stderr).not.toContain('Dynamic require');
  const result = JSON.parse(run.stdout) as { node: string; report: Record<string, string> };
  expect(Number(result.node.split('.')[0])).toBeGreaterThanOrEqual(22);
  for (const fn of FUNCTIONS) expect(result.report[fn]).toBe('function');
  expect(result.report.error).toBe('RequestInvalidError');
  expect(result.report.api).toBe('400 RequestInvalidError');
});
