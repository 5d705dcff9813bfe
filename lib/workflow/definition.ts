import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../local/paths.js';

/** A Task's `Resource` as written for serverless-step-functions: `{ "Fn::GetAtt": [functionName, "Arn"] }`. */
type GetAtt = { 'Fn::GetAtt': [string, string] };

export interface AslState {
  Type: string;
  Resource?: string | GetAtt;
  Next?: string;
  [key: string]: unknown;
}

export interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
  [key: string]: unknown;
}

export const DEPLOY_DEFINITION_PATH = join('statemachines', 'deploy.asl.json');
/**
 * Input `{ deploymentId, region }`, or `{ deploymentId, executionArn }` from the safety-net rule (the region is then
 * read from the execution's input): removes a deployment by its tag (the rollback function, looped until clean).
 */
export const TEARDOWN_DEFINITION_PATH = join('statemachines', 'teardown.asl.json');
/** Every state machine of the project; HANDLERS holds every function their Tasks name. */
export const DEFINITION_PATHS = [DEPLOY_DEFINITION_PATH, TEARDOWN_DEFINITION_PATH] as const;

export function readDefinition(path: string = DEPLOY_DEFINITION_PATH): AslDefinition {
  return JSON.parse(readFileSync(join(repoRoot(), path), 'utf8')) as AslDefinition;
}

const isGetAtt = (value: unknown): value is GetAtt =>
  typeof value === 'object' && value !== null && Array.isArray((value as GetAtt)['Fn::GetAtt']);

/** Task state name -> the serverless function it invokes. */
export function taskFunctions(definition: AslDefinition): Record<string, string> {
  const tasks: Record<string, string> = {};
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Type === 'Task' && isGetAtt(state.Resource)) tasks[name] = state.Resource['Fn::GetAtt'][0];
  }
  return tasks;
}

/**
 * The definition as plain ASL: each `Fn::GetAtt` becomes the Lambda ARN it stands for. CloudFormation does the
 * same substitution in AWS; locally the ARN only names the function, which the runner maps to its handler.
 */
export function substituteArns(
  definition: AslDefinition,
  arnOf: (functionName: string) => string = (fn) => `arn:aws:lambda:us-east-1:123456789012:function:gpu-deploy-local-${fn}`,
): AslDefinition {
  // A JSON round trip, not structuredClone: under jest's VM, structuredClone returns objects of another realm,
  // which aws-local-stepfunctions does not treat as plain objects.
  const copy = JSON.parse(JSON.stringify(definition)) as AslDefinition;
  for (const state of Object.values(copy.States)) {
    if (isGetAtt(state.Resource)) state.Resource = arnOf(state.Resource['Fn::GetAtt'][0]);
  }
  return copy;
}
