import { strict as assert } from 'node:assert';
test('node 22', () => { assert.ok(Number(process.versions.node.split('.')[0]) >= 22); });
