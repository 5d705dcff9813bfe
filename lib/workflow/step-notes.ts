import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What a step says while it runs (each refused launch attempt of the capacity walk), for a caller that shows
 * progress: the local runner listens around each Task it invokes; in Lambda nobody listens and a note costs nothing.
 */
const listeners = new AsyncLocalStorage<(message: string) => void>();

/** Runs `work` with `onNote` receiving every stepNote() made inside it (across its awaits). */
export const withStepNotes = <T>(onNote: (message: string) => void, work: () => T): T => listeners.run(onNote, work);

/** Tells whoever runs this step what just happened; a no-op when nobody listens. */
export function stepNote(message: string): void {
  try {
    listeners.getStore()?.(message);
  } catch {
    // ignored: a listener's failure must not change the step's outcome
  }
}
