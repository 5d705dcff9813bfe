import type { Timeouts } from '../types.js';
import type { AslDefinition } from './definition.js';

/**
 * How a local run shortens time. The emulator answers at once, so a run against it waits 1/100 of each Wait state
 * (10 s -> 100 ms) and, by the same factor, gives the request's polling deadlines (timeouts.*) 1/100 of their length:
 * a demo that fails by a deadline (an SSM agent that never comes online) ends in seconds with as many polls as it
 * would make in the cloud, instead of half an hour of fast polls.
 */
export const LOCAL_TIME_SCALE = 0.01;

/** The definition Wait state that `--wait-ms N` names: a 10-second Wait lasts N ms, the others in proportion. */
export const REFERENCE_WAIT_MS = 10_000;

/** Each Wait state of the definition, scaled: state name -> milliseconds. */
export function scaledWaits(definition: AslDefinition, scale: number): Record<string, number> {
  return Object.fromEntries(
    Object.entries(definition.States)
      .filter(([, state]) => state.Type === 'Wait' && typeof state.Seconds === 'number')
      .map(([name, state]) => [name, Math.max(1, Math.round((state.Seconds as number) * 1000 * scale))]),
  );
}

/** The request's polling deadlines scaled (whole seconds, at least 1: the request's own bounds). */
export function scaledTimeouts(timeouts: Timeouts, scale: number): Timeouts {
  const scaled = (seconds: number): number => Math.max(1, Math.ceil(seconds * scale));
  return { runningSeconds: scaled(timeouts.runningSeconds), managedSeconds: scaled(timeouts.managedSeconds), verifySeconds: scaled(timeouts.verifySeconds) };
}
