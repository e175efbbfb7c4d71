/**
 * Multi-emitter benchmarks (issue 13): windows/s of the model selection (fit one emitter, add
 * the next at the residual peak, likelihood-ratio test, final fit and joint CRLB) on 9×9
 * windows (the 5×5 box with its margins) holding two emitters 250 nm (2.5 px) apart, N = 2000
 * each, b = 20, σ = 1.3 px: the WebAssembly kernel against the JavaScript reference.
 */
import type { Bench } from 'tinybench';
import { EmitterSelector, resolveMultiEmitterOptions } from '../../src/fit/EmitterSelector.js';
import type { EmitterSelection } from '../../src/fit/EmitterSelection.js';
import { GaussianAxis } from '../../src/fit/GaussianAxis.js';
import { WasmEmitterSelector } from '../../src/fit/WasmEmitterSelector.js';
import { Random } from '../../src/simulate/Random.js';
import type { CaseInfo } from './fitBench.js';

const W = 9;
const SIGMA = 1.3;

/**
 * Register the multi-emitter cases on `bench`.
 * @param quick - fewer windows per operation
 * @returns per-case information keyed by task name
 */
export function addMultiEmitterCases(bench: Bench, quick: boolean): Map<string, CaseInfo> {
  const count = quick ? 50 : 400;
  const rng = new Random(2025);
  const ax = new GaussianAxis(W);
  const ay = new GaussianAxis(W);
  const data = new Float64Array(count * W * W);
  const starts: { x: number; y: number; photons: number; background: number }[] = [];
  for (let w = 0; w < count; w++) {
    const a = rng.uniform() * Math.PI;
    const cx = 4 + rng.uniform();
    const cy = 4 + rng.uniform();
    const mu = new Float64Array(W * W).fill(20);
    for (const s of [1, -1]) {
      ax.evaluate(cx + s * 1.25 * Math.cos(a), SIGMA, false);
      ay.evaluate(cy + s * 1.25 * Math.sin(a), SIGMA, false);
      for (let r = 0; r < W; r++) for (let c = 0; c < W; c++) mu[r * W + c] += 2000 * ax.value[c] * ay.value[r];
    }
    for (let i = 0; i < W * W; i++) data[w * W * W + i] = rng.poisson(mu[i]);
    starts.push({ x: cx, y: cy, photons: 4000, background: 20 });
  }
  const options = resolveMultiEmitterOptions();
  const solver = { maxIterations: 50, tolerance: 1e-4 };
  const info = new Map<string, CaseInfo>();
  const add = (name: string, selector: EmitterSelection, baseline?: string) => {
    info.set(name, { fitsPerOp: count, unit: 'windows/s', baseline });
    bench.add(name, () => {
      for (let w = 0; w < count; w++) selector.select(data, w * W * W, starts[w], SIGMA, solver);
    });
  };
  const js = 'multi-emitter 9x9 pair 250 nm (JavaScript)';
  add(js, new EmitterSelector(W, options));
  add('multi-emitter 9x9 pair 250 nm (WebAssembly)', new WasmEmitterSelector(W, options), js);
  return info;
}
