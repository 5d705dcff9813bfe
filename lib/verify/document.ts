/**
 * The document health-check.sh prints, parsed and checked: its probes, decoded. Pure functions.
 */
import { GpuVerificationFailedError } from '../errors.js';
import { isRecord } from '../guards.js';
import { PROBE_NAMES, type DecodedProbe, type ProbeName, type RawHealthCheck, type RawProbe } from './types.js';

const TOOL_NAME = 'gpu-deploy-health-check';
const notHealthCheck = (reason: string, stdout: string): GpuVerificationFailedError =>
  new GpuVerificationFailedError(`The command output was not the gpu-deploy health-check JSON: ${reason}`, {
    hint:
      'Check that health-check.sh ran to completion (SSM output is cut at 24,000 characters) ' +
      'and printed only its JSON.',
    details: { outputStart: stdout.slice(0, 200), outputLength: stdout.length },
  });

/** Parses the JSON, tolerating text around it (such as a shell's warning) but never a cut document. */
const parseJsonObject = (stdout: string): unknown => {
  const trimmed = stdout.trim();
  try {
    return JSON.parse(trimmed);
  } catch {
    const start = trimmed.indexOf('{"schemaVersion"');
    const end = trimmed.lastIndexOf('}');
    if (start < 0 || end <= start) throw notHealthCheck('it is not JSON (empty, cut short or other text)', stdout);
    try {
      return JSON.parse(trimmed.slice(start, end + 1));
    } catch {
      throw notHealthCheck('it is not JSON (cut short or corrupted)', stdout);
    }
  }
};

const parseProbe = (name: string, value: unknown, stdout: string): RawProbe => {
  if (!isRecord(value)) throw notHealthCheck(`probe "${name}" is not an object`, stdout);
  if (value.ran === false) {
    return { ran: false, skipped: typeof value.skipped === 'string' ? value.skipped : 'skipped' };
  }
  const { exitCode, stdoutB64, stderrB64, truncated } = value;
  if (
    value.ran !== true ||
    typeof exitCode !== 'number' ||
    !Number.isInteger(exitCode) ||
    typeof stdoutB64 !== 'string' ||
    typeof stderrB64 !== 'string'
  ) {
    throw notHealthCheck(`probe "${name}" lacks ran, exitCode, stdoutB64 or stderrB64`, stdout);
  }
  return { ran: true, exitCode, stdoutB64, stderrB64, truncated: truncated === true };
};

/**
 * Parses and checks the document that health-check.sh printed.
 *
 * @throws GpuVerificationFailedError when the text is not a complete schemaVersion 1 health-check document.
 * @example
 * const raw = parseHealthCheckOutput(invocation.StandardOutputContent ?? '');
 */
export function parseHealthCheckOutput(stdout: string): RawHealthCheck {
  const parsed = parseJsonObject(stdout);
  if (!isRecord(parsed)) throw notHealthCheck('it is not a JSON object', stdout);
  if (parsed.tool !== TOOL_NAME) throw notHealthCheck(`"tool" is not "${TOOL_NAME}"`, stdout);
  if (parsed.schemaVersion !== 1) {
    throw notHealthCheck(`unsupported schemaVersion ${JSON.stringify(parsed.schemaVersion)}`, stdout);
  }
  if (!isRecord(parsed.probes)) throw notHealthCheck('"probes" is missing', stdout);
  const probes: RawHealthCheck['probes'] = {};
  for (const name of PROBE_NAMES) {
    const value = parsed.probes[name];
    if (value !== undefined) probes[name] = parseProbe(name, value, stdout);
  }
  return {
    schemaVersion: 1,
    tool: TOOL_NAME,
    checkedAt: typeof parsed.checkedAt === 'string' ? parsed.checkedAt : '',
    hostname: typeof parsed.hostname === 'string' ? parsed.hostname : '',
    ...(isRecord(parsed.config) ? { config: parsed.config } : {}),
    probes,
  };
}

/** The probe's captures as text, or `null` when it was skipped or absent. */
export function decodeProbe(raw: RawHealthCheck, name: ProbeName): DecodedProbe | null {
  const probe = raw.probes[name];
  if (probe === undefined || !probe.ran) return null;
  return {
    exitCode: probe.exitCode,
    stdout: Buffer.from(probe.stdoutB64, 'base64').toString('utf8'),
    stderr: Buffer.from(probe.stderrB64, 'base64').toString('utf8'),
    truncated: probe.truncated,
  };
}
