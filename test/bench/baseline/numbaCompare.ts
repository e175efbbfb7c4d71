/**
 * The fit core against a compiled numba Newton (issue 28): the single-emitter Gaussian case of
 * fitBench.ts with σ fixed (box 5, σ 1.0 px and box 7, σ 1.3 px; N = 1500, b = 20, the same
 * simulated patches), fitted by the WebAssembly kernel and by numbaNewton.py (the same start
 * values, Newton steps, step limits, convergence test and iteration cap), both on one thread.
 * The two are timed in CPU seconds, interleaved (kernel, numba, kernel, numba, …) so that both
 * see the same load; the ratio of each pair is printed with the median and range. Their fitted
 * values are compared first (the benchmark is only fair if both fit the same thing).
 *
 * Needs `python3` with numba (`python3 -c 'import numba'`); says so and skips otherwise.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { FitWorkspace } from '../../../src/fit/FitWorkspace.js';
import { resolveFitOptions } from '../../../src/fit/FitOptions.js';
import { createFitResults } from '../../../src/fit/FitResults.js';
import type { FitResults } from '../../../src/fit/FitResults.js';
import { fitPatches } from '../../../src/fit/fitPatches.js';
import {
  ANTICIPATE_END, DAMPING_DIAGONAL_FLOOR, DAMPING_GROWTH, DAMPING_LIMIT, DAMPING_START, LEAVE_PATCH_PX, MAX_SHRINK,
  MIN_BACKGROUND, MIN_BACKGROUND_GUESS, MIN_PHOTONS,
} from '../../../src/fit/fitConstants.js';
import { simulatePatches } from '../../../src/simulate/simulatePatches.js';

const SCRIPT = fileURLToPath(new URL('./numbaNewton.py', import.meta.url));
/** numbaNewton.py's output row: x, y, N, b, CRLB x, y, N, b, ℓ, iterations, status. */
const NUMBA_COLUMNS = 11;

/** One case's comparison. */
export interface NumbaComparison {
  case: string;
  /** Fits per CPU second of each round: the kernel, numba (same order, interleaved). */
  kernelRates: number[];
  numbaRates: number[];
  /** kernel / numba, per round. */
  ratios: number[];
  /** Largest |Δx|, |Δy| (px) and relative |ΔN|, |Δb| between the two fits, over patches both converged. */
  maxPositionDifferencePx: number;
  maxRelativeDifference: number;
  /** Patches where both converged, and where the iteration counts differ. */
  bothConverged: number;
  iterationsDiffer: number;
  count: number;
}

/** Whether `python3` imports numba. */
export function numbaAvailable(): boolean {
  const r = spawnSync('python3', ['-c', 'import numba'], { stdio: 'ignore' });
  return r.status === 0;
}

/** CPU seconds of this process (user + system). */
function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/**
 * Run the comparison for both boxes.
 * @param quick - fewer patches, shorter rounds (a smoke run)
 * @param rounds - interleaved timing rounds per case
 */
export async function compareWithNumba(quick: boolean, rounds = quick ? 1 : 5): Promise<NumbaComparison[]> {
  const seconds = quick ? 0.2 : 1;
  const results: NumbaComparison[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'numba-newton-'));
  try {
    for (const [box, sigmaPx] of [[5, 1.0], [7, 1.3]] as const) {
      const count = quick ? 500 : 5000;
      // The patches of fitBench.ts's fixed-σ case (same options, same seed).
      const sim = simulatePatches({ count, box, sigmaPx, photons: 1500, background: 20, seed: 2024 + box });
      const options = resolveFitOptions({ box, sigmaPx, fitSigma: false });
      const patchPath = join(dir, `patches-${box}.f64`);
      const outPath = join(dir, `numba-${box}.f64`);
      writeFileSync(patchPath, new Uint8Array(sim.data.buffer, sim.data.byteOffset, count * box * box * 8));
      const config = {
        box, sigmaPx, maxIterations: options.maxIterations, tolerance: options.tolerance, maxStepPx: options.maxStepPx,
        constants: {
          MIN_PHOTONS, MIN_BACKGROUND, MAX_SHRINK, DAMPING_START, DAMPING_GROWTH, DAMPING_LIMIT, DAMPING_DIAGONAL_FLOOR,
          LEAVE_PATCH_PX, ANTICIPATE_END, MIN_BACKGROUND_GUESS,
        },
      };
      const child = spawn('python3', [SCRIPT, patchPath, outPath, JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'inherit'] });
      const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
      const next = async (): Promise<Record<string, number>> => {
        const line = await lines.next();
        if (line.done) throw new Error(`numbaNewton.py ended early (box ${box})`);
        return JSON.parse(line.value) as Record<string, number>;
      };
      try {
        await next(); // compiled, fitted once, results written
        const numba = new Float64Array(readFileSync(outPath).buffer.slice(0));
        const workspace = new FitWorkspace(options);
        const out = createFitResults(count);
        fitPatches(sim.data, workspace, { out, count });
        const agreement = compareFits(out, numba, count);
        const kernelRates: number[] = [], numbaRates: number[] = [], ratios: number[] = [];
        for (let r = 0; r < rounds; r++) {
          let fits = 0;
          const start = cpuSeconds();
          let spent = 0;
          do {
            fitPatches(sim.data, workspace, { out, count });
            fits += count;
            spent = cpuSeconds() - start;
          } while (spent < seconds);
          const kernelRate = fits / spent;
          child.stdin.write(`time ${seconds}\n`);
          const timed = await next();
          const numbaRate = timed.fits / timed.cpuSeconds;
          kernelRates.push(kernelRate);
          numbaRates.push(numbaRate);
          ratios.push(kernelRate / numbaRate);
        }
        results.push({ case: `${box}x${box} fixed σ`, kernelRates, numbaRates, ratios, count, ...agreement });
      } finally {
        child.stdin.end('quit\n');
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

/** How far the kernel's fits are from numba's, over the patches both fits converged on. */
function compareFits(out: FitResults, numba: Float64Array, count: number): Pick<NumbaComparison, 'maxPositionDifferencePx' | 'maxRelativeDifference' | 'bothConverged' | 'iterationsDiffer'> {
  let maxPositionDifferencePx = 0, maxRelativeDifference = 0, bothConverged = 0, iterationsDiffer = 0;
  for (let p = 0; p < count; p++) {
    const row = p * NUMBA_COLUMNS;
    if (out.status[p] !== 0 || numba[row + 10] !== 0) continue;
    bothConverged++;
    if (out.iterations[p] !== numba[row + 9]) iterationsDiffer++;
    maxPositionDifferencePx = Math.max(maxPositionDifferencePx, Math.abs(out.x[p] - numba[row]), Math.abs(out.y[p] - numba[row + 1]));
    maxRelativeDifference = Math.max(
      maxRelativeDifference,
      Math.abs(out.photons[p] - numba[row + 2]) / numba[row + 2],
      Math.abs(out.background[p] - numba[row + 3]) / numba[row + 3],
    );
  }
  return { maxPositionDifferencePx, maxRelativeDifference, bothConverged, iterationsDiffer };
}

/** The median of `values`. */
function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : 0.5 * (s[h - 1] + s[h]);
}

/** Print the comparison as a table (or say why there is none). */
export async function printNumbaComparison(quick: boolean, json: boolean): Promise<NumbaComparison[] | undefined> {
  if (!numbaAvailable()) {
    if (!json) console.log('numba is not available (python3 -c "import numba" failed): the fit core vs numba ratio is not measured.');
    return undefined;
  }
  const results = await compareWithNumba(quick);
  if (json) return results;
  const k = (v: number): string => Math.round(v).toLocaleString('en-US');
  console.log('Fit core (WebAssembly) vs compiled numba Newton, one thread each, fits per CPU second, interleaved rounds:');
  console.table(results.map((r) => ({
    case: r.case,
    'kernel fits/s (median)': k(median(r.kernelRates)),
    'numba fits/s (median)': k(median(r.numbaRates)),
    'ratio median': `${median(r.ratios).toFixed(2)}×`,
    'ratio range': `${Math.min(...r.ratios).toFixed(2)}–${Math.max(...r.ratios).toFixed(2)}×`,
    'max |Δx|,|Δy| px': r.maxPositionDifferencePx.toExponential(1),
    'max rel ΔN,Δb': r.maxRelativeDifference.toExponential(1),
    'both converged': `${r.bothConverged}/${r.count}`,
    'iterations differ': r.iterationsDiffer,
  })));
  return results;
}
