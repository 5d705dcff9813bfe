import type { AslDefinition } from '../../lib/workflow/definition.js';
import {
  DIAGRAM_END_MARKER,
  DIAGRAM_START_MARKER,
  aslToMermaid,
  describeChoiceRule,
  describeErrors,
  extractDiagram,
  renderDiagramBlock,
  sanitizeLabel,
  shortPath,
  updateDiagram,
} from '../../lib/workflow/mermaid.js';

const small: AslDefinition = {
  StartAt: 'Start',
  States: {
    Start: {
      Type: 'Task',
      Resource: { 'Fn::GetAtt': ['start', 'Arn'] },
      Next: 'Poll',
      Catch: [
        { ErrorEquals: ['BadInputError', 'OtherError', 'ThirdError', 'FourthError'], Next: 'Rejected' },
        { ErrorEquals: ['States.ALL'], Next: 'Rejected' },
      ],
    },
    Poll: { Type: 'Wait', Seconds: 5, Next: 'IsDone' },
    IsDone: {
      Type: 'Choice',
      Choices: [
        { Variable: '$.job.state', StringEquals: 'done', Next: 'Done' },
        { Variable: '$.job.retries', NumericGreaterThan: 3, Next: 'Rejected' },
      ],
      Default: 'Poll',
    },
    Done: { Type: 'Succeed' },
    Rejected: { Type: 'Fail', Error: 'Nope' },
  },
};

describe('aslToMermaid', () => {
  test('draws start, Next, Choice rules, Default, Catch and terminal edges', () => {
    // Act
    const text = aslToMermaid(small);

    // Assess
    expect(text).toBe([
      'stateDiagram-v2',
      '    [*] --> Start',
      '    Start --> Poll',
      '    Start --> Rejected: BadInputError, OtherError +2',
      '    Start --> Rejected: any error',
      '    Poll --> IsDone',
      '    IsDone --> Done: state == done',
      '    IsDone --> Rejected: retries > 3',
      '    IsDone --> Poll: otherwise',
      '    Done --> [*]',
      '    Rejected --> [*]',
      '    classDef failState fill:#fdecea,stroke:#c62828,color:#8e0000',
      '    class Rejected failState',
    ].join('\n'));
  });

  test('is deterministic and does not change the definition', () => {
    // Prepare
    const before = structuredClone(small);

    // Act
    const first = aslToMermaid(small);
    const second = aslToMermaid(structuredClone(small));

    // Assess
    expect(second).toBe(first);
    expect(small).toEqual(before);
  });

  test('End: true ends at [*]; names that are not Mermaid ids get an id and keep their name as label', () => {
    // Prepare
    const definition: AslDefinition = {
      StartAt: 'Say hello',
      States: {
        'Say hello': { Type: 'Pass', Next: 'Say-hello' },
        'Say-hello': { Type: 'Pass', End: true },
      },
    };

    // Act
    const text = aslToMermaid(definition);

    // Assess
    expect(text.split('\n')).toEqual([
      'stateDiagram-v2',
      '    state "Say hello" as Say_hello',
      '    state "Say-hello" as Say_hello_2',
      '    [*] --> Say_hello',
      '    Say_hello --> Say_hello_2',
      '    Say_hello_2 --> [*]',
    ]);
  });

  test('draws Parallel branches and Map processors as composite states', () => {
    // Prepare
    const definition: AslDefinition = {
      StartAt: 'Fan',
      States: {
        Fan: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'A', States: { A: { Type: 'Pass', End: true } } },
            { StartAt: 'B', States: { B: { Type: 'Pass', End: true } } },
          ],
          Next: 'Each',
        },
        Each: {
          Type: 'Map',
          ItemProcessor: { StartAt: 'Item', States: { Item: { Type: 'Pass', End: true } } },
          End: true,
        },
      },
    };

    // Act
    const text = aslToMermaid(definition);

    // Assess
    expect(text.split('\n')).toEqual([
      'stateDiagram-v2',
      '    [*] --> Fan',
      '    state Fan {',
      '        [*] --> A',
      '        A --> [*]',
      '        --',
      '        [*] --> B',
      '        B --> [*]',
      '    }',
      '    Fan --> Each',
      '    state Each {',
      '        [*] --> Item',
      '        Item --> [*]',
      '    }',
      '    Each --> [*]',
    ]);
  });
});

describe('labels', () => {
  test.each([
    [{ Variable: '$.instanceState.state', StringEquals: 'running' }, 'state == running'],
    [{ Variable: '$.ssm.online', BooleanEquals: true }, 'online == true'],
    [{ Variable: '$.n', NumericLessThanEquals: 2 }, 'n <= 2'],
    [{ Variable: '$.a', StringEqualsPath: '$.b.c' }, 'a == c'],
    [{ Variable: '$.a', IsPresent: false }, 'a absent'],
    [{ Variable: '$.a', IsNull: true }, 'a is null'],
    [{ Variable: '$.a', IsString: false }, 'a is not string'],
    [{ Not: { Variable: '$.done', BooleanEquals: true } }, 'not done == true'],
    [{ And: [{ Variable: '$.x', NumericGreaterThan: 1 }, { Or: [{ Variable: '$.y', StringMatches: 'g5*' }, { Variable: '$.z', IsPresent: true }] }] }, 'x > 1 and (y matches g5* or z present)'],
    [{ Condition: '{% $states.input.ok %}' }, '$states.input.ok'],
  ])('%j reads %p', (rule, expected) => {
    expect(describeChoiceRule(rule)).toBe(expected);
  });

  test.each([
    [['States.ALL'], 'any error'],
    [['AError'], 'AError'],
    [['AError', 'BError'], 'AError, BError'],
    [['AError', 'BError', 'CError'], 'AError, BError +1'],
  ])('errors %j read %p', (names, expected) => {
    expect(describeErrors(names)).toBe(expected);
  });

  test('labels lose what Mermaid would misread and are kept short', () => {
    expect(sanitizeLabel('a: b; c # d\ne')).toBe('a b c d e');
    expect(sanitizeLabel('x'.repeat(60), 10)).toBe(`${'x'.repeat(9)}…`);
    expect(shortPath('$.a.b')).toBe('b');
    expect(shortPath('$$.Execution.Id')).toBe('Id');
    expect(shortPath('$')).toBe('$');
  });
});

// The diagrams docs/architecture.md holds are checked against the ASL files in test/unit/docs/docs.test.ts.
describe('diagram block', () => {
  const readme = ['# Title', '', DIAGRAM_START_MARKER, 'old', 'stuff', DIAGRAM_END_MARKER, '', 'after'].join('\n');

  test('renderDiagramBlock fences the diagram as mermaid', () => {
    expect(renderDiagramBlock(small)).toBe(`\`\`\`mermaid\n${aslToMermaid(small)}\n\`\`\``);
  });

  test('updateDiagram replaces only what is between the markers, and is idempotent', () => {
    // Act
    const once = updateDiagram(readme, 'NEW');
    const twice = updateDiagram(once, 'NEW');

    // Assess
    expect(once).toBe(['# Title', '', DIAGRAM_START_MARKER, 'NEW', DIAGRAM_END_MARKER, '', 'after'].join('\n'));
    expect(twice).toBe(once);
    expect(extractDiagram(once)).toBe('NEW');
  });

  test('missing or reversed markers are an error, not a silent no-op', () => {
    expect(() => updateDiagram('# no markers', 'x')).toThrow(/state-machine-diagram:start/);
    expect(() => updateDiagram(`${DIAGRAM_END_MARKER}\n${DIAGRAM_START_MARKER}`, 'x')).toThrow(/diagram block/);
    expect(extractDiagram('# no markers')).toBeUndefined();
  });
});
