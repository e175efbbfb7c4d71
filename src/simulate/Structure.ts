import type { Random } from './Random.js';

/** What the simulated molecules label: anywhere, filaments (microtubule-like) or rings. */
export type StructureKind = 'random' | 'filaments' | 'rings';

/**
 * The defaults of {@link Structure.create}: 4 filaments, or a ring per `areaPerRingUm2` of the
 * field (at least one), rings of `ringRadiusNm`, filaments of persistence length `persistenceNm`.
 */
export const STRUCTURE_DEFAULTS = { filaments: 4, areaPerRingUm2: 2, ringRadiusNm: 150, persistenceNm: 5000 } as const;

/** Options of {@link Structure.create}. */
export interface StructureOptions {
  /** Filaments or rings in the field. @default 4 filaments; one ring per 2 µm² */
  count?: number;
  /** Ring radius, nm. @default 150 */
  ringRadiusNm?: number;
  /** Filament persistence length, nm (how straight they run). @default 5000 */
  persistenceNm?: number;
}

/** Segment length of the filaments' polylines, nm. */
const STEP_NM = 20;

/**
 * Where simulated molecules can sit: uniform over the field, along filaments (worm-like chains
 * crossing the field, persistence length of a few µm like microtubules), or on rings. Made once
 * per simulation from the seeded generator, then sampled for each molecule that switches on.
 * Positions are nm from the image's top-left corner.
 */
export class Structure {
  readonly kind: StructureKind;
  /** Filaments: polyline vertices, x and y interleaved, each filament's vertices in one array. */
  readonly filaments: Float64Array[] = [];
  /** Rings: centre x, y and radius, nm. */
  readonly rings: { x: number; y: number; radius: number }[] = [];
  private readonly x0: number;
  private readonly y0: number;
  private readonly width: number;
  private readonly height: number;
  /** Cumulative length at the end of each filament, nm (for uniform sampling along all of them). */
  private readonly ends: number[] = [];

  private constructor(kind: StructureKind, x0: number, y0: number, width: number, height: number) {
    this.kind = kind;
    this.x0 = x0;
    this.y0 = y0;
    this.width = width;
    this.height = height;
  }

  /**
   * Make a structure inside the rectangle [x0, x0 + width) × [y0, y0 + height), nm.
   * @param kind - random, filaments or rings
   * @param region - the rectangle molecules may occupy, nm
   * @param rng - the simulation's generator ('random' draws nothing from it here)
   * @param options - count, ring radius, persistence length
   */
  static create(kind: StructureKind, region: { x0: number; y0: number; width: number; height: number }, rng: Random, options: StructureOptions = {}): Structure {
    const s = new Structure(kind, region.x0, region.y0, region.width, region.height);
    if (kind === 'filaments') s.makeFilaments(options.count ?? STRUCTURE_DEFAULTS.filaments, options.persistenceNm ?? STRUCTURE_DEFAULTS.persistenceNm, rng);
    if (kind === 'rings') s.makeRings(options.count ?? Math.max(1, Math.round((region.width * region.height) / (STRUCTURE_DEFAULTS.areaPerRingUm2 * 1e6))), options.ringRadiusNm ?? STRUCTURE_DEFAULTS.ringRadiusNm, rng);
    return s;
  }

  /**
   * A molecule's position: uniform over the field, or uniform along the filaments' length, or
   * uniform in angle on a ring chosen at random.
   * @returns x, y in nm
   */
  sample(rng: Random): [number, number] {
    if (this.kind === 'random') {
      const x = this.x0 + rng.uniform() * this.width;
      return [x, this.y0 + rng.uniform() * this.height];
    }
    if (this.kind === 'rings') {
      const ring = this.rings[Math.min(this.rings.length - 1, Math.floor(rng.uniform() * this.rings.length))];
      const angle = 2 * Math.PI * rng.uniform();
      return [ring.x + ring.radius * Math.cos(angle), ring.y + ring.radius * Math.sin(angle)];
    }
    const total = this.ends[this.ends.length - 1] ?? 0;
    if (!(total > 0)) return [this.x0 + 0.5 * this.width, this.y0 + 0.5 * this.height];
    let at = rng.uniform() * total;
    let f = 0;
    while (f < this.ends.length - 1 && at >= this.ends[f]) f++;
    at -= f > 0 ? this.ends[f - 1] : 0;
    const v = this.filaments[f];
    const segment = Math.min(Math.floor(at / STEP_NM), v.length / 2 - 2);
    const t = (at - segment * STEP_NM) / STEP_NM;
    const k = 2 * segment;
    return [v[k] + t * (v[k + 2] - v[k]), v[k + 1] + t * (v[k + 3] - v[k + 1])];
  }

  /** Worm-like chains from a random point, in both directions until they leave the region. */
  private makeFilaments(count: number, persistenceNm: number, rng: Random): void {
    // Tangent angle diffuses with variance STEP / persistence per step.
    const kick = Math.sqrt(STEP_NM / persistenceNm);
    let total = 0;
    for (let f = 0; f < count; f++) {
      let points: [number, number][] = [];
      // A start right at the edge heading out gives no segment: start again.
      for (let attempt = 0; attempt < 100 && points.length < 2; attempt++) {
        const cx = this.x0 + rng.uniform() * this.width;
        const cy = this.y0 + rng.uniform() * this.height;
        const heading = 2 * Math.PI * rng.uniform();
        const forward = this.walk(cx, cy, heading, kick, rng);
        const backward = this.walk(cx, cy, heading + Math.PI, kick, rng);
        points = [...backward.reverse(), ...forward.slice(1)];
      }
      if (points.length < 2) continue;
      const vertices = new Float64Array(points.length * 2);
      points.forEach(([x, y], i) => {
        vertices[2 * i] = x;
        vertices[2 * i + 1] = y;
      });
      this.filaments.push(vertices);
      total += (points.length - 1) * STEP_NM;
      this.ends.push(total);
    }
  }

  private walk(x: number, y: number, heading: number, kick: number, rng: Random): [number, number][] {
    const points: [number, number][] = [[x, y]];
    const inside = (px: number, py: number) => px >= this.x0 && px < this.x0 + this.width && py >= this.y0 && py < this.y0 + this.height;
    for (let step = 0; step < 100_000; step++) {
      heading += kick * rng.normal();
      const nx = x + STEP_NM * Math.cos(heading);
      const ny = y + STEP_NM * Math.sin(heading);
      if (!inside(nx, ny)) break;
      x = nx;
      y = ny;
      points.push([x, y]);
    }
    return points;
  }

  /** Rings of the given radius at random centres, each wholly inside the region. */
  private makeRings(count: number, radius: number, rng: Random): void {
    const r = Math.min(radius, 0.5 * this.width, 0.5 * this.height);
    for (let k = 0; k < count; k++) {
      this.rings.push({ x: this.x0 + r + rng.uniform() * (this.width - 2 * r), y: this.y0 + r + rng.uniform() * (this.height - 2 * r), radius: r });
    }
  }
}
