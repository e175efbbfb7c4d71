/**
 * Detection benchmarks (issue 16): frames/s of the spot detector on the `bench:e2e` kind of
 * frame — 256×256 px, ~40 spots (0.061 /µm², N = 1500, b = 20), uint16 with a 100 ADU offset —
 * conversion to photons, the wavelet filter, the noise estimate, the local maxima and the
 * candidate list: the default 7-tap filter in the WebAssembly kernel against the JavaScript
 * reference, and ThunderSTORM's 5-tap filter in the kernel. 64 distinct frames, taken in turn
 * (so no branch predictor learns one frame's noise). Issue 28: the same detection on 2048×2048
 * frames (same spots per area, a camera with known read noise so the threshold's noise is the
 * camera's, as in a pipeline run) against 256×256 ones in 256²-equivalents per second: the
 * ratio is the cost per pixel of a full frame over a small one's (1 when equal).
 */
import type { Bench } from 'tinybench';
import { Candidates } from '../../src/detect/Candidates.js';
import type { FilterKind } from '../../src/detect/FilterKernel.js';
import { resolveDetectOptions } from '../../src/detect/DetectOptions.js';
import { frameCamera, resolveCamera } from '../../src/camera/CameraModel.js';
import { SpotDetector } from '../../src/detect/SpotDetector.js';
import { simulateStack } from '../../src/simulate/simulateStack.js';
import type { CaseInfo } from './fitBench.js';

const WIDTH = 256;

/**
 * Register the detection cases on `bench`.
 * @param quick - fewer frames per operation
 * @returns per-case information keyed by task name
 */
export function addDetectCases(bench: Bench, quick: boolean): Map<string, CaseInfo> {
  const distinct = quick ? 8 : 64;
  const frames = [...simulateStack({ width: WIDTH, height: WIDTH, frames: distinct, density: 0.061, photons: 1500, background: 20, seed: 5 })].map((f) => Uint16Array.from(f.adu));
  const camera = { baselineAdu: 100, photonsPerAduNet: 1 };
  const out = new Candidates();
  const info = new Map<string, CaseInfo>();
  const add = (name: string, filter: FilterKind, engine: 'wasm' | 'js', baseline?: string) => {
    const detector = new SpotDetector(WIDTH, WIDTH, resolveDetectOptions({ filter, engine }));
    info.set(name, { fitsPerOp: distinct, unit: 'frames/s', baseline });
    bench.add(name, () => {
      for (const frame of frames) detector.detect(frame, out, camera);
    });
  };
  const js = 'detect 256x256 7 taps (JavaScript)';
  add(js, 'bspline7', 'js');
  add('detect 256x256 7 taps (WebAssembly)', 'bspline7', 'wasm', js);
  add('detect 256x256 ThunderSTORM 5 taps (WebAssembly)', 'thunderstorm', 'wasm', js);
  // Cost per pixel by frame size: 256² against 2048², in 256²-equivalents a second.
  const perPixel = (size: number, count: number) => {
    const stack = [...simulateStack({ width: size, height: size, frames: count, density: 0.061, photons: 1500, background: 20, seed: 5 })].map((f) => Uint16Array.from(f.adu));
    const cam = frameCamera(resolveCamera({ pixelSizeNm: 100, baselineAdu: 100, photonsPerAdu: 1, readNoiseElectrons: 1.2 }), size, size);
    const detector = new SpotDetector(size, size, resolveDetectOptions(), cam);
    return { stack, run: () => { for (const frame of stack) detector.detect(frame, out, cam); }, units: (count * size * size) / (WIDTH * WIDTH) };
  };
  const small = perPixel(WIDTH, distinct);
  const large = perPixel(2048, quick ? 1 : 2);
  const smallName = 'detect 256x256, camera noise (WebAssembly, per 256x256 px)';
  info.set(smallName, { fitsPerOp: small.units, unit: '256²/s' });
  bench.add(smallName, small.run);
  info.set('detect 2048x2048, camera noise (WebAssembly, per 256x256 px)', { fitsPerOp: large.units, unit: '256²/s', baseline: smallName });
  bench.add('detect 2048x2048, camera noise (WebAssembly, per 256x256 px)', large.run);
  return info;
}
