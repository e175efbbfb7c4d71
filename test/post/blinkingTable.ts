import { Random } from '../../src/simulate/Random.js';
import type { LocalizationTable } from '../../src/table/LocalizationTable.js';

/** What {@link blinkingTable} simulates. */
export interface BlinkingTableOptions {
  readonly seed: number;
  /** The molecules' true positions, nm (x then y, interleaved). */
  readonly sites: Float64Array;
  /** Localization precision: each localization is the site plus N(0, σ²) in x and y, nm. */
  readonly sigmaNm: number;
  /** Frames of the acquisition (1 … frames). */
  readonly frames: number;
  /** Mean frames a molecule is on, once switched on (geometric, at least 1). */
  readonly meanOnFrames: number;
  /** Spread of the precision among molecules: each molecule's σ uniform in σ·(1 ± spread). @default 0 */
  readonly sigmaSpread?: number;
}

/**
 * A per-frame localization table with a known precision (the ground truth of NeNA and FRC):
 * each site switches on once at a uniformly random frame and stays on a geometric number of
 * frames (mean `meanOnFrames`), each frame a localization off by N(0, σ²) in x and y. Not the
 * fitter's output: the noise model is exactly Gaussian, so σ is known without a fit.
 */
export function blinkingTable(o: BlinkingTableOptions): LocalizationTable {
  const random = new Random(o.seed);
  const frame: number[] = [];
  const x: number[] = [];
  const y: number[] = [];
  const stay = 1 - 1 / o.meanOnFrames; // P(on in the next frame | on now)
  for (let m = 0; m < o.sites.length / 2; m++) {
    let f = 1 + Math.floor(random.uniform() * o.frames);
    const sigma = o.sigmaNm * (1 + (o.sigmaSpread ?? 0) * (2 * random.uniform() - 1));
    do {
      frame.push(f);
      x.push(o.sites[2 * m] + sigma * random.normal());
      y.push(o.sites[2 * m + 1] + sigma * random.normal());
      f++;
    } while (f <= o.frames && random.uniform() < stay);
  }
  return { header: ['frame', 'x [nm]', 'y [nm]'], columns: [Float64Array.from(frame), Float64Array.from(x), Float64Array.from(y)], rows: frame.length };
}

/**
 * Sites spread uniformly over a square field.
 * @param seed - the generator's seed
 * @param count - how many
 * @param fieldNm - side of the square, nm
 */
export function uniformSites(seed: number, count: number, fieldNm: number): Float64Array {
  const random = new Random(seed);
  return Float64Array.from({ length: 2 * count }, () => random.uniform() * fieldNm);
}
