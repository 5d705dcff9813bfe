import { stronglyConnected } from '../../lib/graph.js';

const graphOf = (edges: Record<string, string[]>) => (node: string): string[] => edges[node] ?? [];
const sorted = (components: string[][]): string[][] => components.map((c) => [...c].sort()).sort((a, b) => a.join().localeCompare(b.join()));

describe('stronglyConnected (Tarjan)', () => {
  test('each set of nodes that reach one another, and every other node alone', () => {
    const edges = { a: ['b'], b: ['c'], c: ['a', 'd'], d: ['e'], e: ['d'], f: ['a'] };
    expect(sorted(stronglyConnected(Object.keys(edges), graphOf(edges)))).toEqual([['a', 'b', 'c'], ['d', 'e'], ['f']]);
  });

  test('a node reached only through another is still found; a self-loop is a component of one', () => {
    const edges = { x: ['y'], y: ['y'] };
    expect(sorted(stronglyConnected(['x'], graphOf(edges)))).toEqual([['x'], ['y']]);
  });

  test('components come out successors first (reverse topological order)', () => {
    const edges = { a: ['b'], b: [] };
    expect(stronglyConnected(['a', 'b'], graphOf(edges))).toEqual([['b'], ['a']]);
  });
});
