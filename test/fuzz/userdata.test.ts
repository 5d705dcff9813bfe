/**
 * What the request schema accepts and how it reaches the instance: every user value in the rendered UserData sits
 * only inside a single-quoted `readonly NAME='...'` line, and the script parses (`bash -n`).
 */
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { parseRequest } from '../../lib/request.js';
import { renderUserData, shellQuote } from '../../lib/userdata/index.js';
import { AMI_TYPES, OS_TYPES } from '../../lib/types.js';
import { acceptedOllama, hostileString, IMAGE_MARKER, MODEL_MARKER, RUNS } from './arbitraries.js';

const READONLY_LINE = /^readonly [A-Z_][A-Z0-9_]*='(?:[^']|'\\'')*'$/;

const accepted = fc.record({
  osType: fc.constantFrom(...OS_TYPES),
  amiType: fc.constantFrom(...AMI_TYPES),
  amiSource: fc.constantFrom('dlami' as const, 'standard' as const),
  ollama: acceptedOllama,
  tags: fc.dictionary(fc.constantFrom('team', 'owner'), fc.constantFrom('zqtag', 'zq tag=1+2@x'), { maxKeys: 2 }),
  subnetId: fc.constant('subnet-0fedcba987654321f'),
});

function render(input: { osType: string; amiType: string; amiSource: 'dlami' | 'standard'; ollama: unknown; tags: unknown; subnetId: string }) {
  const request = parseRequest({ instanceType: 'g5.xlarge', osType: input.osType, amiType: input.amiType, ollama: input.ollama, tags: input.tags, subnetId: input.subnetId });
  const script = renderUserData({ deploymentId: 'fuzz-1', osType: request.osType, architecture: request.architecture, amiSource: input.amiSource, ollama: request.ollama });
  return { request, script };
}

/** Every line that holds `needle` is a readonly single-quoted assignment. */
function onlyInReadonlyLines(script: string, needle: string): boolean {
  return script
    .split('\n')
    .filter((line) => line.includes(needle))
    .every((line) => READONLY_LINE.test(line));
}

describe('UserData of accepted requests', () => {
  test('user values appear only inside single-quoted readonly assignments', () => {
    fc.assert(
      fc.property(accepted, (input) => {
        const { request, script } = render(input);
        const { image, model, visibleDevices, maxVramMiB } = request.ollama;
        expect(script).toContain(`readonly OLLAMA_IMAGE=${shellQuote(image)}\n`);
        expect(script).toContain(`readonly OLLAMA_MODEL=${shellQuote(model ?? '')}\n`);
        expect(script).toContain(`readonly OLLAMA_VISIBLE_DEVICES=${shellQuote(visibleDevices)}\n`);
        expect(script).toContain(`readonly OLLAMA_MAX_VRAM_MIB=${shellQuote(String(maxVramMiB ?? ''))}\n`);
        expect(onlyInReadonlyLines(script, IMAGE_MARKER)).toBe(true);
        expect(onlyInReadonlyLines(script, MODEL_MARKER)).toBe(true);
        // Tags and the subnet go to EC2's API, never into the script.
        expect(script).not.toContain('zqtag');
        expect(script).not.toContain('zq tag');
        expect(script).not.toContain('subnet-0fedcba987654321f');
      }),
      RUNS,
    );
  });

  test('the rendered script parses (bash -n) on a sample', () => {
    const samples = fc.sample(accepted, { numRuns: 12, seed: 42 });
    for (const input of samples) {
      const { script } = render(input);
      const check = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
      expect({ status: check.status, stderr: check.stderr }).toEqual({ status: 0, stderr: '' });
    }
  });

  test('hostile values never reach UserData: the request refuses them first', () => {
    const field = fc.constantFrom('image', 'model', 'visibleDevices');
    fc.assert(
      fc.property(field, hostileString, (name, value) => {
        expect(() => parseRequest({ ollama: { [name]: value } })).toThrow(expect.objectContaining({ name: 'RequestInvalidError' }));
      }),
      RUNS,
    );
  });

  test('the last line of defence: renderUserData itself quotes or refuses any string', () => {
    fc.assert(
      fc.property(fc.constantFrom('image', 'model', 'visibleDevices'), fc.oneof(hostileString, fc.string()), (name, value) => {
        const ollama = { enabled: true, image: 'ollama/ollama:latest', visibleDevices: 'all', [name]: value };
        let script: string;
        try {
          script = renderUserData({ deploymentId: 'fuzz-1', osType: 'ubuntu-22.04', architecture: 'x86_64', amiSource: 'dlami', ollama });
        } catch (error) {
          expect((error as Error).name).toBe('UserDataInvalidError');
          return;
        }
        expect(script).toContain(`=${shellQuote(value)}\n`);
      }),
      RUNS,
    );
  });
});

describe('validation and UserData agree', () => {
  // lib/request.ts and lib/userdata/options.ts must agree: a request that passes ValidateRequest must never fail
  // later in Launch with UserDataInvalidError.
  test('every request the schema accepts renders UserData', () => {
    const lenient = fc.record({
      model: fc.oneof(fc.constant(undefined), fc.constantFrom('-x', '.hidden', 'llama3.2:1b')),
      visibleDevices: fc.oneof(fc.constant('all'), fc.constantFrom('1234', Array.from({ length: 65 }, (_, i) => String(i % 10)).join(','), '0,1')),
    });
    fc.assert(
      fc.property(lenient, ({ model, visibleDevices }) => {
        let request;
        try {
          request = parseRequest({ ollama: { visibleDevices, ...(model === undefined ? {} : { model }) } });
        } catch {
          return; // refused up front: consistent
        }
        renderUserData({ deploymentId: 'fuzz-1', osType: request.osType, architecture: request.architecture, amiSource: 'dlami', ollama: request.ollama });
      }),
      { numRuns: 50, seed: 7 },
    );
  });
});
