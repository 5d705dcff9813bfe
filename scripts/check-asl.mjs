#!/usr/bin/env node
/**
 * Validates the state machine definitions with asl-validator (used by `npm run lint`).
 *
 * The ASL files name their Lambdas the way serverless-step-functions wants them, `{"Fn::GetAtt": [fn, "Arn"]}`;
 * CloudFormation turns those into ARNs at deploy time. Here each one becomes a Lambda ARN string first, so the
 * validator sees what Step Functions will see.
 *
 * Usage: node scripts/check-asl.mjs [file.asl.json ...]   (default: every statemachines/*.asl.json)
 * Exits 0 when every definition is valid, 1 with the errors otherwise.
 */
import aslValidator from 'asl-validator';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const isGetAttArn = (value) =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 &&
  Array.isArray(value['Fn::GetAtt']) && value['Fn::GetAtt'].length === 2 &&
  typeof value['Fn::GetAtt'][0] === 'string' && value['Fn::GetAtt'][1] === 'Arn';

/** A copy of the definition in which every `Resource: {"Fn::GetAtt": [fn, "Arn"]}` (at any depth) is an ARN. */
export function substituteGetAtt(node) {
  if (Array.isArray(node)) return node.map(substituteGetAtt);
  if (typeof node !== 'object' || node === null) return node;
  const copy = {};
  for (const [key, value] of Object.entries(node)) {
    copy[key] = key === 'Resource' && isGetAttArn(value)
      ? `arn:aws:lambda:us-east-1:123456789012:function:gpu-deploy-check-${value['Fn::GetAtt'][0]}`
      : substituteGetAtt(value);
  }
  return copy;
}

/** The problems of one ASL file, as lines of text; empty when it is valid. */
export function checkFile(path) {
  let definition;
  try {
    definition = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    return [`cannot read it as JSON: ${error instanceof Error ? error.message : String(error)}`];
  }
  // asl-validator 4: `validator(definition, options) -> { isValid, errors, errorsText(separator) }`, each error
  // being `{ "Error code", Message }`.
  const { isValid, errorsText } = aslValidator(substituteGetAtt(definition), { checkArn: true, checkPaths: true });
  return isValid ? [] : errorsText('\n').split('\n');
}

function main(args) {
  const files = args.length > 0
    ? args.map((file) => resolve(file))
    : readdirSync(join(root, 'statemachines')).filter((name) => name.endsWith('.asl.json')).sort().map((name) => join(root, 'statemachines', name));
  if (files.length === 0) {
    process.stderr.write('check-asl: no statemachines/*.asl.json found\n');
    return 1;
  }
  let failed = 0;
  for (const file of files) {
    const problems = checkFile(file);
    const shown = relative(process.cwd(), file) || file;
    if (problems.length === 0) {
      process.stdout.write(`✓ ${shown}\n`);
    } else {
      failed += 1;
      process.stderr.write(`✕ ${shown}\n${problems.map((line) => `    ${line}`).join('\n')}\n`);
    }
  }
  return failed === 0 ? 0 : 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
