/**
 * The strongly connected components of a directed graph, by Tarjan's algorithm: each set of nodes that all reach
 * one another. The polling loops of a state machine (lib/workflow/loops.ts) and the import circles that
 * `npm run lint` refuses (scripts/check-cycles.ts) are both such components.
 *
 * @example
 * stronglyConnected(['a', 'b', 'c'], (n) => ({ a: ['b'], b: ['a'], c: [] })[n] ?? []); // [['b', 'a'], ['c']]
 */
export function stronglyConnected<T>(nodes: Iterable<T>, next: (node: T) => Iterable<T>): T[][] {
  const index = new Map<T, number>();
  const low = new Map<T, number>();
  const stack: T[] = [];
  const onStack = new Set<T>();
  const components: T[][] = [];
  const visit = (node: T): void => {
    index.set(node, index.size);
    low.set(node, index.get(node) as number);
    stack.push(node);
    onStack.add(node);
    for (const successor of next(node)) {
      if (!index.has(successor)) {
        visit(successor);
        low.set(node, Math.min(low.get(node) as number, low.get(successor) as number));
      } else if (onStack.has(successor)) low.set(node, Math.min(low.get(node) as number, index.get(successor) as number));
    }
    if (low.get(node) !== index.get(node)) return;
    const component: T[] = [];
    for (let member = stack.pop(); member !== undefined; member = stack.pop()) {
      onStack.delete(member);
      component.push(member);
      if (member === node) break;
    }
    components.push(component);
  };
  for (const node of nodes) if (!index.has(node)) visit(node);
  return components;
}
