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
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (name: string): void => {
    index.set(name, index.size);
    low.set(name, index.get(name) as number);
    stack.push(name);
    onStack.add(name);
    for (const next of successors(states[name] ?? { Type: 'Fail' })) {
      if (!(next in states)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(name, Math.min(low.get(name) as number, low.get(next) as number));
      } else if (onStack.has(next)) low.set(name, Math.min(low.get(name) as number, index.get(next) as number));
    }
    if (low.get(name) !== index.get(name)) return;
    const component: string[] = [];
    for (let member = stack.pop(); member !== undefined; member = stack.pop()) {
      onStack.delete(member);
      component.push(member);
      if (member === name) break;
    }
    components.push(component);
  };
  for (const name of Object.keys(states)) if (!index.has(name)) visit(name);
  return components.filter((c) => c.length > 1 && c.some((name) => states[name]?.Type === 'Wait'));
}
