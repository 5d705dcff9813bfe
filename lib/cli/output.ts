import type { ProgressEvent } from '../workflow/local-runner.js';

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

export const processIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

const MARK: Record<ProgressEvent['kind'], string> = { entered: '→', exited: '✓', failed: '✗', retried: '↻', caught: '↪' };

/** One progress line per state event, on stderr, so stdout stays one JSON document. */
export function progressLine(event: ProgressEvent): string | undefined {
  if (event.type === 'Wait' && event.kind !== 'entered') return undefined;
  if (event.type === 'Choice' || event.type === 'Pass' || event.type === 'Succeed') return event.kind === 'entered' ? `  ${MARK.exited} ${event.state}\n` : undefined;
  const name = event.state.padEnd(20);
  switch (event.kind) {
    case 'entered':
      return event.type === 'Wait' ? `  … ${event.state}\n` : `  ${MARK.entered} ${event.state}\n`;
    case 'exited':
      return `  ${MARK.exited} ${name} ${String(event.durationMs ?? 0).padStart(6)} ms\n`;
    case 'failed':
      return `  ${MARK.failed} ${name} ${String(event.durationMs ?? 0).padStart(6)} ms  ${event.error ?? ''}: ${(event.cause ?? '').slice(0, 160)}\n`;
    default:
      return `  ${MARK[event.kind]} ${event.state} ${event.kind}\n`;
  }
}

export const printJson = (io: Io, value: unknown): void => io.out(`${JSON.stringify(value, null, 2)}\n`);
