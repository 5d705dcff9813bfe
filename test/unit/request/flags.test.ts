import { REQUEST_FLAGS, REQUEST_OPTION_SPECS, requestFromOptions } from '../../../lib/cli/request-options.js';
import { parseRequest } from '../../../lib/request.js';
import { isNumericField, requestField } from '../../../lib/request-schema.js';

describe('CLI request flags: one table onto the one declaration', () => {
  test.each(Object.entries(REQUEST_FLAGS))('--%s sets %s, a field the declaration has', (flag, field) => {
    expect(requestField(field)).toBeDefined();
    expect(REQUEST_OPTION_SPECS[flag]).toMatchObject({ type: 'string', help: expect.any(String) });
  });

  test('the declaration says which flags are numbers', () => {
    const numeric = Object.values(REQUEST_FLAGS).filter((field) => isNumericField(field));
    expect(numeric).toEqual(['maxHourlyPrice', 'rootVolumeGiB', 'maxLifetimeMinutes', 'idleTeardown.minutes']);
    expect(requestField('nope')).toBeUndefined();
    expect(requestField('ollama.nope')).toBeUndefined();
  });

  test('numeric text becomes a number, other text stays text and is refused by name', () => {
    const raw = requestFromOptions({ 'root-volume-gib': '200', 'instance-type': '123', 'max-hourly-price': 'cheap' }, {});
    expect(raw).toEqual({ rootVolumeGiB: 200, instanceType: '123', maxHourlyPrice: 'cheap' });
    expect(() => parseRequest(raw)).toThrow('maxHourlyPrice must be a number from 0.001 to 1000 (got "cheap")');
  });
});

describe('--workspace NAME', () => {
  test('sets workspace.name, merged with a config file; a bad name is refused by name with the rule', () => {
    expect(requestFromOptions({ workspace: 'demo' }, {})).toEqual({ workspace: { name: 'demo' } });
    expect(parseRequest(requestFromOptions({ workspace: 'ml-2' }, {})).workspace).toEqual({ name: 'ml-2' });
    expect(parseRequest({}).workspace).toBeUndefined();
    for (const bad of ['Demo', '-demo', 'a'.repeat(64), 'my_ws', 'ws.1', '']) {
      expect(() => parseRequest(requestFromOptions({ workspace: bad }, {}))).toThrow(
        `workspace.name must be a workspace name: lowercase letters, digits and -, 1 to 63, starting with a letter or digit (got ${JSON.stringify(bad).slice(0, 40)}`,
      );
    }
    expect(() => parseRequest({ workspace: 'demo' })).toThrow('workspace must be an object like {"name": "demo"}');
    expect(() => parseRequest({ workspace: { name: 'demo', size: 5 } })).toThrow('workspace.size is not a known field (known: name)');
  });
});

describe('field lists derived from the declaration', () => {
  test('top-level, ollama and idleTeardown fields', async () => {
    const { IDLE_TEARDOWN_FIELDS, KNOWN_FIELDS, OLLAMA_FIELDS } = await import('../../../lib/request.js');
    expect([...KNOWN_FIELDS]).toEqual(expect.arrayContaining(['instanceType', 'schemaVersion', 'instanceProfile', 'maxLifetimeMinutes', 'idleTeardown', 'workspace', 'amiFallback']));
    expect(KNOWN_FIELDS.size).toBe(19);
    expect(OLLAMA_FIELDS).toEqual(['enabled', 'image', 'visibleDevices', 'maxVramMiB', 'model']);
    expect(IDLE_TEARDOWN_FIELDS).toEqual(['minutes', 'gpuUtilizationBelowPercent']);
  });
});
