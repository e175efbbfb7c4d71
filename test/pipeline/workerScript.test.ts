import assert from 'node:assert/strict';
import { test } from 'node:test';
import { workerScript } from '../../src/pipeline/workerScript.js';

test('the worker module is bundled (so the pool starts workers without tsx), with file URLs fixed in', async () => {
  const url = await workerScript();
  assert.ok(url, 'esbuild bundled localizeWorker.ts');
  assert.equal(url.protocol, 'data:');
  const code = decodeURIComponent(url.href.slice(url.href.indexOf(',') + 1));
  assert.ok(!code.includes('import.meta.url'), 'every import.meta.url replaced by its source file URL');
  assert.ok(code.includes('waveletKernel.wasm') && code.includes('fitKernel.wasm'), 'both kernels are loaded from their files');
  assert.equal(await workerScript(), url, 'bundled once per process');
});
