/**
 * Every subcommand of `gpu-deploy`, declared once: its arguments, its options (what parses them and what `--help`
 * prints), what it does, and the module that runs it (imported only when it is the one asked for, so `--help` and
 * a typo load no AWS SDK client). The top-level usage, `gpu-deploy COMMAND --help`, the option parser and "did you
 * mean" all read this list: a new command is one entry here.
 */
import { STAGE_NAMES } from '../userdata/constants.js';
import { SIM_FAULTS } from '../verify/fake-host.js';
import type { Io } from './output.js';

/** One option: its parser type, the word shown for its value, and the line `--help` prints. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  /** The word standing for a string option's value in usage lines (`N`, `R`). */
  value?: string;
  help: string;
  /** Options of one group exclude each other; usage shows them as `[--local | --aws]`. */
  oneOf?: string;
}

export type OptionSpecs = Record<string, OptionSpec>;

export type CommandMain = (args: string[], io: Io) => Promise<number>;

export interface CommandSpec {
  name: string;
  /** Positional arguments as usage shows them (`ID`, `ID -- COMMAND [ARG...]`); none when absent. */
  args?: string;
  /** What it does, as one or two sentences. */
  summary: string;
  /** Where it sits in the top-level usage. */
  group: keyof typeof COMMAND_GROUPS;
  options: OptionSpecs;
  /** Takes the request options (lib/cli/request-options.ts) besides its own. */
  requestOptions?: boolean;
  /** Lines `--help` adds after the options. */
  notes?: string[];
  main: () => Promise<CommandMain>;
}

export const COMMAND_GROUPS = {
  deploy: 'Deploy and look up',
  stack: 'The deployed stack (npx serverless deploy)',
  day2: 'After a deployment (ID is the deployment id; the instance is found by its tag)',
  local: 'This machine',
} as const;

const JSON_OPTION: OptionSpecs = { json: { type: 'boolean', help: 'one JSON document on stdout; progress and logs on stderr' } };
const REGION: OptionSpecs = { region: { type: 'string', value: 'R', help: "the deployment's region (default AWS_REGION, else us-east-1)" } };
/** Where a day-2 command looks: neither flag means the deployed stack (or, for the instance-only commands, the SDK's account). */
export const TARGET_OPTIONS: OptionSpecs = {
  local: { type: 'boolean', oneOf: 'target', help: 'the running `gpu-deploy local-cloud` (where `run --local` deployed)' },
  aws: { type: 'boolean', oneOf: 'target', help: 'whatever the AWS SDK is configured for (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL): a `run --aws` deployment, no stack needed' },
};
const STAGE: OptionSpecs = {
  stage: { type: 'string', value: 'S', help: 'serverless stage: the stack is gpu-deploy-<stage> (default dev)' },
  'stack-region': { type: 'string', value: 'R', help: "the stack's region (default AWS_REGION, else --region)" },
};
const FOLLOW: OptionSpecs = {
  'poll-seconds': { type: 'string', value: 'S', help: 'how often --wait asks Step Functions (default 5)' },
  'timeout-seconds': { type: 'string', value: 'S', help: 'how long --wait waits before it gives up (the execution goes on)' },
};
const DAY2: OptionSpecs = { ...REGION, ...TARGET_OPTIONS, ...JSON_OPTION };
const LOCAL_ONLY: OptionSpecs = { local: { type: 'boolean', help: 'answer from the local emulator instead of your AWS account' } };

/** The set-up stages a simulated host can fail in (`complete` is written only when none failed). */
export const SIMULATED_STAGES: readonly string[] = STAGE_NAMES.filter((stage) => stage !== 'complete');

const load = <M>(module: Promise<M>, pick: (m: M) => CommandMain): Promise<CommandMain> => module.then(pick);

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'run',
    group: 'deploy',
    summary:
      'Run the deploy state machine in this process with the real handlers, each state shown as it runs. --local (the default of npm start) deploys into the running `gpu-deploy local-cloud`, else into a local cloud of its own; --aws into whatever the AWS SDK is configured for.',
    requestOptions: true,
    options: {
      ...TARGET_OPTIONS,
      ...JSON_OPTION,
      'simulate-host': { type: 'string', value: 'FAULT', help: 'local cloud: the simulated host plays this fault (see the list below)' },
      'simulate-no-capacity': { type: 'string', value: 'ZONE[,ZONE]', help: 'local cloud: RunInstances in these zones answers InsufficientInstanceCapacity' },
      'simulate-failed-stage': { type: 'string', value: 'STAGE', help: "local cloud: the instance's set-up fails in this stage" },
      'simulate-ssm-offline': { type: 'boolean', help: "local cloud: the instance's SSM agent never comes online" },
      'wait-ms': { type: 'string', value: 'N', help: "a 10-second Wait state lasts N ms, the others in proportion (local default 100; with --aws, for an emulator)" },
    },
    notes: [
      `--simulate-host faults: ${SIM_FAULTS.join(', ')}`,
      `--simulate-failed-stage stages: ${SIMULATED_STAGES.join(', ')}`,
      "A local run scales the request's deadlines (timeouts.*) by the same factor as its waits, so a failure demo ends in seconds.",
    ],
    main: () => load(import('./run.js'), (m) => m.runMain),
  },
  {
    name: 'plan',
    group: 'deploy',
    summary: 'Validation, the AMI, the ordered launch attempts (zone x market), quotas, alternatives and the cost estimate. Launches nothing.',
    requestOptions: true,
    options: { ...LOCAL_ONLY, ...JSON_OPTION },
    main: () => load(import('./plan.js'), (m) => m.planMain),
  },
  {
    name: 'ami',
    group: 'deploy',
    summary: 'The Deep Learning AMI a deployment would use (--region, --os-type, --architecture, --ami-type, --ami-fallback), and how it was found.',
    requestOptions: true,
    options: { ...LOCAL_ONLY, ...JSON_OPTION },
    main: () => load(import('./ami.js'), (m) => m.amiMain),
  },
  {
    name: 'gpus',
    group: 'deploy',
    summary: 'The NVIDIA GPU instance types of a region: GPU, memory, vCPUs, architecture, zones, on-demand and spot price.',
    options: { ...REGION, 'instance-type': { type: 'string', value: 'T', help: 'only this type' }, ...LOCAL_ONLY, ...JSON_OPTION },
    main: () => load(import('./gpus.js'), (m) => m.gpusMain),
  },
  {
    name: 'start',
    group: 'stack',
    summary: "Start the deployed stack's deploy state machine (found by its CloudFormation outputs); --wait follows its states and prints the result (exit 1 when it failed).",
    requestOptions: true,
    options: { ...STAGE, wait: { type: 'boolean', help: 'follow the execution until it ends' }, ...FOLLOW, ...JSON_OPTION },
    main: () => load(import('./start.js'), (m) => m.startMain),
  },
  {
    name: 'status',
    group: 'day2',
    args: 'ID',
    summary:
      "A deployment's status. Through the stack: RUNNING, SUCCEEDED with its result, or FAILED with the named error (exit 1). With --aws or --local (a `run` deployment): read from its instance and tags (state, verification, lifetime, price).",
    options: { ...DAY2, ...STAGE },
    main: () => load(import('./status.js'), (m) => m.statusMain),
  },
  {
    name: 'teardown',
    group: 'day2',
    args: 'ID',
    summary:
      "Remove a deployment: everything tagged gpu-deploy:deployment-id=ID, by the teardown state machine. Through the stack it starts the stack's; with --aws or --local it runs the same definition in this process until it ends.",
    options: { ...DAY2, ...STAGE, wait: { type: 'boolean', help: "through the stack: follow the teardown until it ends" }, ...FOLLOW },
    main: () => load(import('./teardown.js'), (m) => m.teardownMain),
  },
  {
    name: 'extend',
    group: 'day2',
    args: 'ID',
    summary:
      "Move the deployment's deadline N minutes later (from now when it has none), or remove it: the instance's own backstop (Run Command), its gpu-deploy:expires-at tag, and the stack's teardown schedule when there is a stack.",
    options: {
      minutes: { type: 'string', value: 'N', oneOf: 'lifetime', help: 'move the deadline N minutes later' },
      none: { type: 'boolean', oneOf: 'lifetime', help: 'remove the deadline' },
      ...DAY2,
      ...STAGE,
    },
    main: () => load(import('./extend.js'), (m) => m.extendMain),
  },
  {
    name: 'connect',
    group: 'day2',
    args: 'ID',
    summary: "An interactive shell on the deployment's instance through Session Manager (AWS's session-manager-plugin).",
    options: DAY2,
    main: () => load(import('./connect.js'), (m) => m.connectMain),
  },
  {
    name: 'tunnel',
    group: 'day2',
    args: 'ID',
    summary: 'Port forwarding through Session Manager until Ctrl-C (both ports default to 11434: Ollama at http://127.0.0.1:11434).',
    options: {
      'local-port': { type: 'string', value: 'N', help: 'the port on this machine (default 11434)' },
      'remote-port': { type: 'string', value: 'N', help: 'the port on the instance (default 11434)' },
      ...DAY2,
    },
    main: () => load(import('./tunnel.js'), (m) => m.tunnelMain),
  },
  {
    name: 'exec',
    group: 'day2',
    args: 'ID -- COMMAND [ARG...]',
    summary: "Run Command on the deployment's instance; each ARG reaches it as one word; the exit status is the command's own.",
    options: { timeout: { type: 'string', value: 'S', help: 'seconds the command may run (default 600)' }, ...DAY2 },
    main: () => load(import('./exec.js'), (m) => m.execMain),
  },
  {
    name: 'list',
    group: 'day2',
    summary: 'Every instance gpu-deploy manages: state, uptime, price, cost so far, lifetime, the way in; and the totals.',
    options: {
      region: { type: 'string', value: 'R', oneOf: 'regions', help: 'the region to list (default AWS_REGION, else us-east-1)' },
      'all-regions': { type: 'boolean', oneOf: 'regions', help: 'every region enabled for the account' },
      ...TARGET_OPTIONS,
      ...JSON_OPTION,
    },
    main: () => load(import('./list.js'), (m) => m.listMain),
  },
  {
    name: 'workspace',
    group: 'day2',
    args: 'list | delete NAME',
    summary:
      'The workspaces (EFS, kept when any instance ends): `list` shows each one\'s size, storage cost per month at today\'s size and the deployments using it; `delete NAME` removes one (refused while a running deployment uses it). Nothing automatic ever deletes a workspace.',
    options: {
      region: { type: 'string', value: 'R', oneOf: 'regions', help: 'the region (default AWS_REGION, else us-east-1)' },
      'all-regions': { type: 'boolean', oneOf: 'regions', help: 'list: every region enabled for the account' },
      ...TARGET_OPTIONS,
      ...JSON_OPTION,
    },
    main: () => load(import('./workspace.js'), (m) => m.workspaceMain),
  },
  {
    name: 'local-cloud',
    group: 'local',
    summary: 'The local cloud (moto + local stand-ins) as a server until Ctrl-C; --local on the other commands uses it.',
    options: { ...REGION, ...JSON_OPTION },
    main: () => load(import('./local-cloud.js'), (m) => m.localCloudMain),
  },
  {
    name: 'doctor',
    group: 'local',
    summary:
      'The GPU health check that deployments run over SSM, on this host. Exit 0 only when the GPU is healthy; the last line says what to do about the first problem.',
    options: {
      'skip-docker': { type: 'boolean', help: 'run no Docker probe at all (not `docker info`, not the --gpus all container, not Ollama\'s container logs): the GPU alone decides, on a host without Docker too' },
      'skip-ollama': { type: 'boolean', help: "do not ask Ollama's API or read its container logs" },
      ...JSON_OPTION,
    },
    main: () => load(import('./doctor.js'), (m) => m.doctorMain),
  },
];

/** The command of that name; undefined for one that does not exist. */
export const commandNamed = (name: string): CommandSpec | undefined => COMMANDS.find((c) => c.name === name);

/** The declaration of a command this module declares (a programming error otherwise). */
export function commandSpec(name: string): CommandSpec {
  const command = commandNamed(name);
  if (!command) throw new Error(`No gpu-deploy command ${name} in lib/cli/commands.ts`);
  return command;
}
