import type { PsfModel, PsfParameter } from '../PsfModel.js';

/**
 * K copies of any {@link PsfModel} on one shared background, itself a {@link PsfModel}
 * (docs/design.md §9):
 *
 *     μ_k = b + Σ_e signal_e(θ_e)_k
 *
 * θ = (θ₁, …, θ_K, b): each emitter's parameters in its model's order without the background,
 * then b, (p − 1)·K + 1 values for a p-parameter model; ∂μ/∂θ_e is the copy's own, ∂μ/∂b = 1.
 * For the 2-D Gaussian that is (x₁, y₁, N₁, …, x_K, y_K, N_K, b); for the astigmatic model
 * (x₁, y₁, N₁, z₁, …, b). K ({@link emitters}) may change between fits, up to the copies made.
 * Each copy keeps its own window terms and adds its signal to μ; θ is handed to a copy through
 * its own small buffer (made once), so evaluating allocates nothing. A multi-emitter model
 * nests (its own background left out when it is one emitter of a larger sum).
 */
export class MultiEmitterModel implements PsfModel {
  readonly name: string;
  readonly box: number;
  /** The copies, one per possible emitter. */
  readonly copies: readonly PsfModel[];
  /** The most emitters. */
  readonly maxEmitters: number;
  /** Parameters of one emitter (its model's, less the background). */
  readonly perEmitter: number;
  private count = 1;
  private readonly lists: readonly (readonly PsfParameter[])[];
  private readonly local: readonly Float64Array[];
  /** θ of one copy for propose / leftWindow (the copies' `local` buffers keep the θ last evaluated). */
  private readonly localTheta: Float64Array;
  private readonly localStep: Float64Array;
  private readonly localTrial: Float64Array;

  /**
   * @param make - makes one copy of the model (each copy holds its own scratch)
   * @param maxEmitters - the most emitters one fit holds
   */
  constructor(make: () => PsfModel, maxEmitters: number) {
    const copies = Array.from({ length: maxEmitters }, make);
    const first = copies[0];
    const p = first.parameters.length;
    this.copies = copies;
    this.maxEmitters = maxEmitters;
    this.box = first.box;
    this.name = `multi-emitter ${first.name}`;
    this.perEmitter = p - 1;
    const bi = first.backgroundIndex;
    const own = first.parameters.filter((_, j) => j !== bi);
    this.lists = Array.from({ length: maxEmitters + 1 }, (_, k) => [
      ...Array.from({ length: k }, (_, e) => own.map((q) => ({ ...q, name: `${q.name}${e + 1}` }))).flat(),
      first.parameters[bi],
    ]);
    this.local = copies.map(() => new Float64Array(p));
    this.localTheta = new Float64Array(p);
    this.localStep = new Float64Array(p);
    this.localTrial = new Float64Array(p);
  }

  /** K, the emitters of the model now (1 … maxEmitters). */
  get emitters(): number {
    return this.count;
  }
  set emitters(k: number) {
    if (!(Number.isInteger(k) && k >= 1 && k <= this.maxEmitters)) throw new RangeError(`emitters must be 1 to ${this.maxEmitters}, got ${k}`);
    this.count = k;
  }

  get parameters(): readonly PsfParameter[] {
    return this.lists[this.count];
  }

  /** The background is θ's last value. */
  get backgroundIndex(): number {
    return this.perEmitter * this.count;
  }

  /** Copy emitter `e`'s parameters of the multi θ, with b, into the copy's own θ buffer `into`. */
  private split(theta: Float64Array, e: number, into: Float64Array): void {
    const q = this.perEmitter;
    const bi = this.copies[0].backgroundIndex;
    for (let j = 0; j < bi; j++) into[j] = theta[e * q + j];
    into[bi] = theta[q * this.count];
    for (let j = bi + 1; j <= q; j++) into[j] = theta[e * q + j - 1];
  }

  /** Copy a copy's θ buffer (less b) back into emitter `e`'s place of the multi θ. */
  private merge(from: Float64Array, e: number, theta: Float64Array): void {
    const q = this.perEmitter;
    const bi = this.copies[0].backgroundIndex;
    for (let j = 0; j < bi; j++) theta[e * q + j] = from[j];
    for (let j = bi + 1; j <= q; j++) theta[e * q + j - 1] = from[j];
  }

  /** μ = b + Σ_e signal_e, each copy adding its signal in emitter order; false where a copy's θ is impossible. */
  evaluate(theta: Float64Array, mu: Float64Array, accumulate: boolean): boolean {
    const { copies, local, count } = this;
    if (!accumulate) mu.fill(theta[this.perEmitter * count], 0, this.box * this.box);
    for (let e = 0; e < count; e++) {
      this.split(theta, e, local[e]);
      if (!copies[e].evaluate(local[e], mu, true)) return false;
    }
    return true;
  }

  /** Each copy's ∂μ/∂θ_e at the pixel in its place, then ∂μ/∂b = 1 (unless left out). */
  derivatives(_theta: Float64Array, pixel: number, d: Float64Array, at: number, withoutBackground: boolean): void {
    const { copies, local, count, perEmitter } = this;
    for (let e = 0; e < count; e++) copies[e].derivatives(local[e], pixel, d, at + e * perEmitter, true);
    if (!withoutBackground) d[at + perEmitter * count] = 1;
  }

  /** Each copy's own limits on its step (b's from the first copy; every copy limits it alike). */
  propose(theta: Float64Array, step: Float64Array, trial: Float64Array): number {
    const { copies, localTheta, localStep, localTrial, count } = this;
    const bi = copies[0].backgroundIndex;
    let moved = 0;
    for (let e = 0; e < count; e++) {
      this.split(theta, e, localTheta);
      this.split(step, e, localStep);
      moved = Math.max(moved, copies[e].propose(localTheta, localStep, localTrial));
      this.merge(localTrial, e, trial);
      if (e === 0) trial[this.perEmitter * count] = localTrial[bi];
    }
    return moved;
  }

  /** Any emitter out of the window. */
  leftWindow(theta: Float64Array): boolean {
    const { copies, localTheta, count } = this;
    for (let e = 0; e < count; e++) {
      this.split(theta, e, localTheta);
      if (copies[e].leftWindow(localTheta)) return true;
    }
    return false;
  }

  /** One emitter from the window ({@link emitters} becomes 1). */
  start(data: Float64Array, at: number, theta: Float64Array): boolean {
    const first = this.local[0];
    if (!this.copies[0].start(data, at, first)) return false;
    this.count = 1;
    this.merge(first, 0, theta);
    theta[this.perEmitter] = first[this.copies[0].backgroundIndex];
    return true;
  }
}
