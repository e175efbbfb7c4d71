import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';
import { KernelLoadError } from '../../src/errors/KernelLoadError.js';
import { FrameLocalizer } from '../../src/pipeline/FrameLocalizer.js';
import { resolveLocalizeOptions } from '../../src/pipeline/LocalizeOptions.js';
import { simulateStack } from '../../src/simulate/simulateStack.js';
import { wasmModule } from '../../src/wasm/wasmModule.js';

const dir = mkdtempSync(join(tmpdir(), 'smlm-wasm-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a missing or invalid kernel is an error naming the file, never a silent fallback', () => {
  const missing = join(dir, 'missing.wasm');
  assert.throws(() => wasmModule(pathToFileURL(missing)), (e: unknown) => e instanceof KernelLoadError && e.path === missing && /missing\.wasm: cannot load the WebAssembly kernel \(ENOENT/.test(e.message));
  const invalid = join(dir, 'invalid.wasm');
  writeFileSync(invalid, 'not a module');
  assert.throws(() => wasmModule(pathToFileURL(invalid)), (e: unknown) => e instanceof KernelLoadError && /invalid\.wasm: cannot load the WebAssembly kernel \(.*\); reinstall smlm-stream, or choose the JavaScript engine/.test(e.message));
});

test("the run records the engines that ran: WebAssembly by default, JavaScript when asked or for frames under twice the filter's margin", () => {
  const engines = (width: number, fit: 'wasm' | 'js', detect: 'wasm' | 'js') => {
    const localizer = new FrameLocalizer(resolveLocalizeOptions({ camera: { pixelSizeNm: 100 }, fit: { engine: fit }, detect: { engine: detect } }));
    const [frame] = simulateStack({ width, height: width, frames: 1, density: 0.5, seed: 3 });
    localizer.process({ index: 0, width, height: width, data: Uint16Array.from(frame.adu) });
    return localizer.stats.engines;
  };
  assert.deepEqual(engines(40, 'wasm', 'wasm'), { fit: 'wasm', detect: 'wasm' });
  assert.deepEqual(engines(40, 'js', 'js'), { fit: 'js', detect: 'js' });
  assert.deepEqual(engines(10, 'wasm', 'wasm'), { fit: 'wasm', detect: 'js' }, 'the 5-tap kernel needs 6 px of margin on each side');
});
