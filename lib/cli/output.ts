import type { ProgressEvent } from '../workflow/local-runner.js';

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  /** stderr is a terminal: progress may rewrite its last line in place. */
  tty?: boolean;
}

export const processIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  get tty() {
    return process.stderr.isTTY === true;
  },
};

const MARK: Record<ProgressEvent['kind'], string> = { entered: '→', exited: '✓', failed: '✗', retried: '↻', caught: '↪', note: '·' };

/** `text` cut to at most `max` characters at a word boundary, with an ellipsis when cut: never mid-word. */
export function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:]+$/, '')}…`;
}

/** One progress line per state event, on stderr, so stdout stays one JSON document. */
export function progressLine(event: ProgressEvent): string | undefined {
  if (event.kind === 'note') return `      ${event.message ?? ''}\n`;
  if (event.type === 'Wait' && event.kind !== 'entered') return undefined;
  if (event.type === 'Choice' || event.type === 'Pass' || event.type === 'Succeed') return event.kind === 'entered' ? `  ${MARK.exited} ${event.state}\n` : undefined;
  const name = event.state.padEnd(20);
  switch (event.kind) {
    case 'entered':
      return event.type === 'Wait' ? `  … ${event.state}\n` : `  ${MARK.entered} ${event.state}\n`;
    case 'exited':
      return `  ${MARK.exited} ${name} ${String(event.durationMs ?? 0).padStart(6)} ms\n`;
    case 'failed':
      return `  ${MARK.failed} ${name} ${String(event.durationMs ?? 0).padStart(6)} ms  ${event.error ?? ''}: ${clip(event.cause ?? '', 240)}\n`;
    default:
      return `  ${MARK[event.kind]} ${event.state} ${event.kind}\n`;
  }
}

export const printJson = (io: Io, value: unknown): void => io.out(`${JSON.stringify(value, null, 2)}\n`);
