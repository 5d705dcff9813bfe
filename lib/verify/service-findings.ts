/**
 * What the Ollama and set-up status probes found: where inference runs, and the UserData stage. Pure.
 */
import { isRecord } from '../guards.js';
import { decodeProbe } from './document.js';
import { firstWords, type Findings } from './gpu-findings.js';
import type { HealthFailure, OllamaStatus, RawHealthCheck, UserDataStatus } from './types.js';

interface OllamaVerdict {
  gpuDetected: boolean | null;
  evidence: string | null;
}

/** Loaded models say where inference runs now: any `size_vram` above 0 is on the GPU. */
const verdictFromPs = (text: string): OllamaVerdict | null => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isRecord(parsed) || !Array.isArray(parsed.models) || parsed.models.length === 0) return null;
  const models = parsed.models.filter(isRecord);
  const onGpu = models.find((model) => typeof model.size_vram === 'number' && model.size_vram > 0);
  if (onGpu !== undefined) {
    const evidence = `/api/ps: model ${String(onGpu.name)} has size_vram ${String(onGpu.size_vram)}`;
    return { gpuDetected: true, evidence };
  }
  const onCpu = models.find((model) => model.size_vram === 0);
  if (onCpu === undefined) return null;
  return { gpuDetected: false, evidence: `/api/ps: model ${String(onCpu.name)} has size_vram 0 (running on CPU)` };
};

/** The newest inference-compute line decides: the container may have restarted since older lines. */
const verdictFromLogs = (text: string): OllamaVerdict | null => {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => /msg="inference compute"|no compatible GPUs/.test(line));
  const last = lines.at(-1);
  if (last === undefined) return null;
  if (/library=(cuda|rocm)\b/i.test(last)) return { gpuDetected: true, evidence: last };
  return { gpuDetected: false, evidence: last };
};

export const ollamaFindings = (raw: RawHealthCheck): Findings<OllamaStatus> => {
  const version = decodeProbe(raw, 'ollamaVersion');
  const ps = decodeProbe(raw, 'ollamaPs');
  const logs = decodeProbe(raw, 'ollamaLogs');
  if (version === null && ps === null) {
    return { status: { checked: false, ok: null, gpuDetected: null, evidence: null }, failures: [] };
  }
  const reachable = version?.exitCode === 0 || ps?.exitCode === 0;
  // Loaded models are the live truth; the logs only say what the server found at start.
  const verdict: OllamaVerdict = (ps?.exitCode === 0 ? verdictFromPs(ps.stdout) : null) ??
    (logs?.exitCode === 0 ? verdictFromLogs(logs.stdout) : null) ?? { gpuDetected: null, evidence: null };
  const failures: HealthFailure[] = [];
  if (!reachable) {
    const probe = ps ?? version;
    const words = probe === null ? '' : firstWords(probe);
    failures.push({
      code: 'OLLAMA_UNREACHABLE',
      check: 'ollama',
      message: `Ollama's API at 127.0.0.1:11434 did not answer${words === '' ? '' : `: ${words}`}`,
    });
  }
  if (verdict.gpuDetected === false) {
    const message = `Ollama runs on the CPU, not the GPU: ${verdict.evidence ?? ''}`;
    failures.push({ code: 'OLLAMA_ON_CPU', check: 'ollama', message });
  }
  return {
    status: { checked: true, ok: failures.length === 0, gpuDetected: verdict.gpuDetected, evidence: verdict.evidence },
    failures,
  };
};

const stringOrNull = (value: unknown): string | null => (typeof value === 'string' ? value : null);

export const userDataFindings = (raw: RawHealthCheck): Findings<UserDataStatus | null> => {
  const probe = decodeProbe(raw, 'userDataStatus');
  if (probe === null || probe.exitCode !== 0) return { status: null, failures: [] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(probe.stdout);
  } catch {
    parsed = null;
  }
  // An unreadable file (caught mid-write) is reported as present but says nothing; it is not a failure.
  const fields = isRecord(parsed) ? parsed : {};
  const status: UserDataStatus = {
    present: true,
    stage: stringOrNull(fields.stage),
    outcome: stringOrNull(fields.outcome),
    message: stringOrNull(fields.message),
  };
  if (status.outcome !== 'failed') return { status, failures: [] };
  const failure: HealthFailure = {
    code: 'USERDATA_STAGE_FAILED',
    check: 'userdata',
    message:
      `instance set-up stage "${status.stage ?? 'unknown'}" failed` +
      (status.message === null ? '' : `: ${status.message}`),
  };
  return { status, failures: [failure] };
};
