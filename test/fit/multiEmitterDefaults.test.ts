import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MULTI_EMITTER_DEFAULTS, resolveMultiEmitterOptions } from '../../src/fit/EmitterSelector.js';

test('find–fit–subtract passes: 3 by default with multi-emitter fitting, 1 without it unless asked for', () => {
  assert.equal(MULTI_EMITTER_DEFAULTS.passes, 3);
  assert.equal(resolveMultiEmitterOptions().passes, 3);
  assert.equal(resolveMultiEmitterOptions({ enabled: false }).passes, 1);
  assert.equal(resolveMultiEmitterOptions({ enabled: false, passes: 2 }).passes, 2);
  assert.equal(resolveMultiEmitterOptions({ passes: 1 }).passes, 1);
});
