import { InvalidOptionError } from '../errors/InvalidOptionError.js';
import { Random } from './Random.js';

/**
 * A cell's autofluorescence under the blinking molecules: soft-edged cell bodies with a darker
 * nucleus and a smooth texture, bright vesicles (some drifting, some blinking slowly), the whole
 * bleaching exponentially through the acquisition. The numbers of {@link CELL_BACKGROUND_DEFAULTS}.
 */
export interface CellBackgroundOptions {
  /** Brightest the cell background gets at the first frame, photons/px on top of the flat background. @default 250 */
  peakPhotons?: number;
  /** Bleaching time constant τ, frames: the background falls as exp(−f/τ) (0: the stack's length). @default 0 */
  bleachFrames?: number;
  /** Cell bodies in the field. @default 3 */
  cells?: number;
  /** Vesicles per µm² of cell body. @default 0.3 */
  vesiclesPerUm2?: number;
}

/** The defaults of {@link CellBackgroundOptions}, and the shapes drawn (all lengths in µm). */
export const CELL_BACKGROUND_DEFAULTS = {
  peakPhotons: 250,
  bleachFrames: 0,
  cells: 3,
  vesiclesPerUm2: 0.3,
} as const;

/** The shapes of the cells and vesicles drawn (lengths µm, brightness as a fraction of the peak). */
export const CELL_SHAPES = {
  /** Cell radius, uniform in this range (cells tens of µm across). */
  radiusUm: [5, 15] as const,
  /** Width of a cell's soft edge (the logistic's scale). */
  edgeUm: 0.5,
  /** A cell body's level, uniform in this range. */
  bodyLevel: [0.25, 0.55] as const,
  /** The nucleus: its radius as a fraction of the cell's, and its relative brightness. */
  nucleusFraction: 0.35,
  nucleusLevel: 0.5,
  /** Texture: this many plane waves of wavelengths in this range, ± this relative amplitude in all. */
  textureWaves: 3,
  textureWavelengthUm: [2, 6] as const,
  textureAmplitude: 0.25,
  /** Vesicle FWHM, uniform in this range, and its amplitude (on top of the body). */
  vesicleFwhmUm: [0.3, 1] as const,
  vesicleLevel: [0.15, 0.45] as const,
  /** Share of the vesicles that drift, and their speed (nm per frame, uniform up to this). */
  movingFraction: 0.3,
  speedNmPerFrame: 10,
  /** Share of the vesicles that blink slowly, and their period range (frames). */
  blinkingFraction: 0.3,
  blinkPeriodFrames: [40, 200] as const,
} as const;

/** The resolved cell background options. */
export type ResolvedCellBackgroundOptions = Required<CellBackgroundOptions>;

/**
 * Fill the defaults of a cell background and check them.
 * @param options - the given options
 * @throws InvalidOptionError naming the option
 */
export function resolveCellBackgroundOptions(options: CellBackgroundOptions = {}): ResolvedCellBackgroundOptions {
  const o = { ...CELL_BACKGROUND_DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as ResolvedCellBackgroundOptions;
  for (const key of ['peakPhotons', 'bleachFrames', 'vesiclesPerUm2'] as const) {
    if (!(o[key] >= 0 && Number.isFinite(o[key]))) throw new InvalidOptionError(`simulation option cellBackground.${key} must be ≥ 0, got ${o[key]}`, `cellBackground.${key}`);
  }
  if (!(Number.isInteger(o.cells) && o.cells >= 1)) throw new InvalidOptionError(`simulation option cellBackground.cells must be a whole number ≥ 1, got ${o.cells}`, 'cellBackground.cells');
  return o;
}

/** One vesicle: position (px), σ (px), amplitude (photons/px), velocity (px/frame), blinking. */
interface Vesicle {
  x: number;
  y: number;
  sigmaPx: number;
  amplitude: number;
  vx: number;
  vy: number;
  /** Blink period in frames (0: steady) and phase. */
  period: number;
  phase: number;
}

/**
 * The cell background of a simulation, frame by frame (photons per pixel, added to the flat
 * background before the Poisson noise). Deterministic from the seed: it draws from a generator
 * of its own, so the emitters of a simulation are the same with it and without it.
 *
 * At frame f (0-based) pixel (row, column) gets
 * `min(peak, body(row, column) + Σ vesicles) · exp(−f/τ)`, so no pixel exceeds `peakPhotons`.
 */
export class CellBackground {
  /** The current frame's field, photons/px, row-major (valid after {@link render}). */
  readonly field: Float64Array;
  private readonly body: Float32Array;
  private readonly vesicles: Vesicle[] = [];
  private readonly width: number;
  private readonly height: number;
  private readonly peak: number;
  private readonly tauFrames: number;

  /**
   * @param width - frame width, px
   * @param height - frame height, px
   * @param pixelSizeNm - pixel size, nm
   * @param frames - frames in the stack (the default bleaching time constant)
   * @param seed - the simulation's seed
   * @param options - resolved cell background options
   */
  constructor(width: number, height: number, pixelSizeNm: number, frames: number, seed: number, options: ResolvedCellBackgroundOptions) {
    this.width = width;
    this.height = height;
    this.peak = options.peakPhotons;
    this.tauFrames = options.bleachFrames > 0 ? options.bleachFrames : frames;
    this.field = new Float64Array(width * height);
    this.body = new Float32Array(width * height);
    const rng = new Random((seed ^ 0xce11) >>> 0);
    const s = CELL_SHAPES;
    const umPx = 1000 / pixelSizeNm;
    const between = (range: readonly [number, number]) => range[0] + (range[1] - range[0]) * rng.uniform();
    // Cell bodies: discs whose centres lie within half a radius outside the field, so edges cross it.
    for (let c = 0; c < options.cells; c++) {
      const radius = between(s.radiusUm) * umPx;
      const cx = -0.5 * radius + (width + radius) * rng.uniform();
      const cy = -0.5 * radius + (height + radius) * rng.uniform();
      const ncx = cx + 0.3 * radius * (rng.uniform() - 0.5);
      const ncy = cy + 0.3 * radius * (rng.uniform() - 0.5);
      const level = between(s.bodyLevel) * this.peak;
      const waves: { kx: number; ky: number; phase: number }[] = [];
      for (let w = 0; w < s.textureWaves; w++) {
        const k = (2 * Math.PI) / (between(s.textureWavelengthUm) * umPx);
        const angle = 2 * Math.PI * rng.uniform();
        waves.push({ kx: k * Math.cos(angle), ky: k * Math.sin(angle), phase: 2 * Math.PI * rng.uniform() });
      }
      const edge = s.edgeUm * umPx;
      const nucleus = s.nucleusFraction * radius;
      for (let row = 0; row < height; row++) {
        for (let column = 0; column < width; column++) {
          const x = column + 0.5;
          const y = row + 0.5;
          const inside = 1 / (1 + Math.exp((Math.hypot(x - cx, y - cy) - radius) / edge));
          if (inside < 1e-4) continue;
          const inNucleus = 1 / (1 + Math.exp((Math.hypot(x - ncx, y - ncy) - nucleus) / edge));
          let texture = 0;
          for (const w of waves) texture += Math.cos(w.kx * x + w.ky * y + w.phase);
          const value = level * inside * (1 - (1 - s.nucleusLevel) * inNucleus) * (1 + (s.textureAmplitude * texture) / s.textureWaves);
          const i = row * width + column;
          // Cells do not overlap: the brighter one is in front.
          if (value > this.body[i]) this.body[i] = value;
        }
      }
    }
    // Vesicles inside the bodies (outside the nucleus), as many as the covered area holds.
    let covered = 0;
    const threshold = s.bodyLevel[0] * this.peak * 0.5;
    for (let i = 0; i < this.body.length; i++) if (this.body[i] > threshold) covered++;
    const count = Math.round((options.vesiclesPerUm2 * covered) / (umPx * umPx));
    for (let v = 0, tries = 0; v < count && tries < 100 * count; tries++) {
      const x = width * rng.uniform();
      const y = height * rng.uniform();
      if (!(this.body[Math.floor(y) * width + Math.floor(x)] > threshold)) continue;
      v++;
      const sigmaPx = (between(s.vesicleFwhmUm) * umPx) / (2 * Math.sqrt(2 * Math.LN2));
      const moving = rng.uniform() < s.movingFraction;
      const speed = moving ? (s.speedNmPerFrame * rng.uniform()) / pixelSizeNm : 0;
      const heading = 2 * Math.PI * rng.uniform();
      const blinking = rng.uniform() < s.blinkingFraction;
      this.vesicles.push({
        x,
        y,
        sigmaPx,
        amplitude: between(s.vesicleLevel) * this.peak,
        vx: speed * Math.cos(heading),
        vy: speed * Math.sin(heading),
        period: blinking ? between(s.blinkPeriodFrames) : 0,
        phase: 2 * Math.PI * rng.uniform(),
      });
    }
  }

  /** The bleaching factor at frame f (0-based): exp(−f/τ). */
  bleach(frame: number): number {
    return Math.exp(-frame / this.tauFrames);
  }

  /**
   * Compute frame f's cell background into {@link field} and add it to `image`.
   * @param image - row-major photons per pixel, modified in place
   * @param frame - frame index, 0-based
   */
  render(image: Float64Array, frame: number): void {
    const { field, width, height } = this;
    field.set(this.body);
    for (const v of this.vesicles) {
      const x = v.x + v.vx * frame;
      const y = v.y + v.vy * frame;
      const amplitude = v.period > 0 ? v.amplitude * 0.5 * (1 + Math.cos((2 * Math.PI * frame) / v.period + v.phase)) : v.amplitude;
      const reach = Math.ceil(4 * v.sigmaPx);
      const c0 = Math.max(0, Math.floor(x) - reach);
      const c1 = Math.min(width - 1, Math.floor(x) + reach);
      const r0 = Math.max(0, Math.floor(y) - reach);
      const r1 = Math.min(height - 1, Math.floor(y) + reach);
      const inv = -1 / (2 * v.sigmaPx * v.sigmaPx);
      for (let row = r0; row <= r1; row++) {
        const dy2 = (row + 0.5 - y) ** 2;
        for (let column = c0; column <= c1; column++) field[row * width + column] += amplitude * Math.exp(((column + 0.5 - x) ** 2 + dy2) * inv);
      }
    }
    const factor = this.bleach(frame);
    for (let i = 0; i < field.length; i++) {
      field[i] = Math.min(this.peak, field[i]) * factor;
      image[i] += field[i];
    }
  }

  /**
   * The current frame's cell background at a position, photons/px (the pixel it falls in; 0 outside).
   * @param xPx - column coordinate, px from the left edge
   * @param yPx - row coordinate, px from the top edge
   */
  at(xPx: number, yPx: number): number {
    const column = Math.floor(xPx);
    const row = Math.floor(yPx);
    if (column < 0 || row < 0 || column >= this.width || row >= this.height) return 0;
    return this.field[row * this.width + column];
  }
}
