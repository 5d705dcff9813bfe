import { stronglyConnected } from '../graph.js';
import type { AslDefinition, AslState } from './definition.js';

/** The states a state can go to next by its own transitions (Next, a Choice's branches and Default; not Catch). */
function successors(state: AslState): string[] {
  const choices = Array.isArray(state.Choices) ? (state.Choices as { Next?: unknown }[]).map((c) => c.Next) : [];
  return [state.Next, state.Default, ...choices].filter((next): next is string => typeof next === 'string');
}

/**
 * The polling loops of a definition: every cycle of states that contains a Wait (WaitUntilManaged → CheckManaged →
 * IsManaged → WaitUntilManaged), as the sets of its states (the strongly connected components, by Tarjan's
 * algorithm). A progress view folds the repeats of a loop into one line.
 *
 * @example
 * pollLoops(readDefinition()).find((loop) => loop.includes('CheckManaged')); // ['IsManaged', 'CheckManaged', 'WaitUntilManaged']
 */
export function pollLoops(definition: AslDefinition): string[][] {
  const states = definition.States;
  const next = (name: string): string[] => successors(states[name] ?? { Type: 'Fail' }).filter((successor) => successor in states);
  return stronglyConnected(Object.keys(states), next).filter((c) => c.length > 1 && c.some((name) => states[name]?.Type === 'Wait'));
}
