/**
 * The camera estimator against the truth (issue 25, item 1): gain (estimate ÷ truth), offset
 * error (ADU, against the true offset where identified, else against the effective one) and the
 * time, mean ± sd over seeds, for simulated stacks of 128×128 px, 100 nm pixels, PSF σ 1.3 px,
 * 2000-photon spots, 20 photons/px background, sparse (0.5 /µm²) and dense (1.5 /µm²), from 1,
 * 10 and 50 frames, on four cameras: sCMOS-like (offset 100 ADU, 1 e⁻/ADU, 1.5 e⁻), CCD (offset
 * 500, 2 e⁻/ADU, 12 e⁻), EMCCD (EM gain 100, offset 500, 10 e⁻/ADU, 45 e⁻: the effective gain,
 * F² folded in, is compared) and an sCMOS with per-pixel maps and 3 % hot pixels.
 *
 * Run: `node --import tsx test/bench/cameraEstimateTable.ts [SEEDS] [CAMERA…]` (SEEDS default 3).
 */
import { estimateCamera, type FrameSample } from '../../src/camera/estimateCamera.js';
import { simulateStack, type SimulateStackOptions } from '../../src/simulate/simulateStack.js';

const SIDE = 128;

interface CameraCase {
  name: string;
  options: SimulateStackOptions;
  /** The gain the estimate should give (effective for EM). */
  gain: number;
  baselineAdu: number;
  readNoiseAdu: number;
}

const CAMERAS: CameraCase[] = [
  { name: 'sCMOS-like', options: { baselineAdu: 100, photonsPerAdu: 1, readNoiseAdu: 1.5 }, gain: 1, baselineAdu: 100, readNoiseAdu: 1.5 },
  { name: 'CCD', options: { baselineAdu: 500, photonsPerAdu: 2, readNoiseAdu: 6 }, gain: 2, baselineAdu: 500, readNoiseAdu: 6 },
  { name: 'EMCCD', options: { baselineAdu: 500, photonsPerAdu: 10, readNoiseAdu: 4.5, emGain: 100 }, gain: 10 / 200, baselineAdu: 500, readNoiseAdu: 4.5 },
  { name: 'sCMOS maps', options: { baselineAdu: 100, photonsPerAdu: 1, readNoiseAdu: 1.5, sensor: 'scmos' }, gain: 1, baselineAdu: 100, readNoiseAdu: 1.6 },
];

const DENSITIES = [
  { name: 'sparse', density: 0.5 },
  { name: 'dense', density: 1.5 },
];
const FRAME_COUNTS = (process.env.COUNTS ?? "1,10,50").split(",").map(Number);

function stats(values: number[]): string {
  if (values.length === 0) return '–';
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / Math.max(1, values.length - 1));
  return `${mean.toFixed(3)} ± ${sd.toFixed(3)}`;
}

const seeds = Number(process.argv[2] ?? 3);
const only = process.argv.slice(3);
console.log('| camera | density | frames | gain est ÷ truth | offset − truth, ADU (identified n/N) | eff. offset − truth, ADU | ms |');
console.log('|---|---|---|---|---|---|---|');
for (const camera of CAMERAS) {
  if (only.length && !only.includes(camera.name)) continue;
  for (const d of DENSITIES) {
    for (const count of FRAME_COUNTS) {
      const gains: number[] = [];
      const offsets: number[] = [];
      const effective: number[] = [];
      const times: number[] = [];
      let identified = 0;
      let failed = 0;
      for (let s = 0; s < seeds; s++) {
        const frames: FrameSample[] = Array.from(simulateStack({ ...camera.options, width: SIDE, height: SIDE, frames: count, density: d.density, seed: 101 + 17 * s }), (f) => ({ data: Uint16Array.from(f.adu), width: SIDE, height: SIDE }));
        const t0 = performance.now();
        let e;
        try {
          e = estimateCamera(frames);
        } catch (error) {
          failed++;
          console.error(`${camera.name} ${d.name} ${count} seed ${s}: ${(error as Error).message}`);
          continue;
        }
        times.push(performance.now() - t0);
        gains.push(e.photonsPerAdu / camera.gain);
        const slope = e.slopeAdu;
        const effTruth = camera.baselineAdu - (camera.readNoiseAdu ** 2 + 1 / 12) / slope;
        effective.push(e.effectiveBaselineAdu - effTruth);
        if (e.offsetIdentified) {
          identified++;
          offsets.push(e.baselineAdu - camera.baselineAdu);
        }
      }
      console.log(`| ${camera.name} | ${d.name} | ${count} | ${stats(gains)} | ${offsets.length ? stats(offsets) : '–'} (${identified}/${seeds}) | ${stats(effective)} | ${stats(times).replace(/\.\d+/g, '')} |${failed ? ` ${failed} failed |` : ''}`);
    }
  }
}
