import type { ZModelErrorTable } from '../fit/zModelErrorAt.js';

/** One leave-one-out fit: the depth (the stage's), its error and the fit's √CRLB, nm. */
export interface FitError {
  readonly zNm: number;
  readonly errorNm: number;
  readonly crlbNm: number;
  /** x and y less the bead's position and their √CRLB, px: Δx, Δy, CRLB_x, CRLB_y (spot fits). */
  readonly lateral?: readonly [number, number, number, number];
}

/**
 * The z error by depth localize adds (zModelErrorAt), from the leave-one-out fits at the beads'
 * brightness and at a spot's (the beads thinned), bin by bin: within a bin the fits' mean square
 * error is taken as e² + κ²·⟨CRLB²⟩, the model's own error e (the same at any brightness) and
 * the fit's spread κ × its CRLB (κ ≥ 1: where the PSF tells little about z the MLE is not
 * efficient at a spot's photons, and the spline's leftover bead noise roughens a dim spot's
 * likelihood); the two brightnesses (CRLBs ~3× apart) give both. `errorNm` is their sum at the
 * spot's brightness less its CRLB, √max(0, ⟨Δz²⟩ − ⟨CRLB²⟩), what a caller without the fit's
 * own CRLB adds. Fits failed, without a CRLB or beyond `limits.outlierNm` are left out; a bin
 * with fewer than `limits.minFits` spot fits keeps the beads' RMS, κ 1; without bead fits (one
 * bead: no leave-one-out) e is 0 and κ² = ⟨Δz²⟩ / ⟨CRLB²⟩ of the spot fits. x and y: κ_x, κ_y
 * of the spot fits alone, √max(1, ⟨Δx²⟩ / ⟨CRLB_x²⟩) (the same from y), 1 in a bin short of fits.
 * @param keys - the bins, as `bin` numbers them, in the table's order
 * @param zNm - the table's nodes, nm (one a bin, increasing)
 * @param bin - the bin of a depth
 * @param bead - the fits at the beads' brightness
 * @param spot - the fits of the beads thinned to a spot's
 * @param limits - the outlier limit, nm, and the spot fits a bin needs
 * @returns the table, `zNm` as given
 */
export function spotErrorTable(keys: readonly number[], zNm: number[], bin: (z: number) => number, bead: readonly FitError[], spot: readonly FitError[], limits: { readonly outlierNm: number; readonly minFits: number }): ZModelErrorTable {
  const sums = (fits: readonly FitError[]) => {
    const m = new Map<number, { e2: number; c2: number; n: number }>();
    for (const p of fits) {
      if (!(Math.abs(p.errorNm) <= limits.outlierNm) || !Number.isFinite(p.crlbNm)) continue;
      const e = m.get(bin(p.zNm)) ?? { e2: 0, c2: 0, n: 0 };
      e.e2 += p.errorNm ** 2;
      e.c2 += p.crlbNm ** 2;
      e.n++;
      m.set(bin(p.zNm), e);
    }
    return m;
  };
  const atBead = sums(bead), atSpot = sums(spot);
  // x and y: the spot fits' mean square error over their mean CRLB (the registered position is
  // the truth, its own error a few nm at the beads' brightness).
  const side = new Map<number, number[]>();
  for (const p of spot) {
    const l = p.lateral;
    if (!l || !(Math.abs(p.errorNm) <= limits.outlierNm) || !l.every(Number.isFinite)) continue;
    const e = side.get(bin(p.zNm)) ?? side.set(bin(p.zNm), [0, 0, 0, 0, 0]).get(bin(p.zNm)) as number[];
    for (let a = 0; a < 4; a++) e[a] += l[a] * l[a];
    e[4]++;
  }
  const crlbScaleX: number[] = [], crlbScaleY: number[] = [];
  for (const k of keys) {
    const e = side.get(k);
    const ok = e !== undefined && e[4] >= limits.minFits;
    crlbScaleX.push(ok ? Math.sqrt(Math.max(1, e[0] / e[2])) : 1);
    crlbScaleY.push(ok ? Math.sqrt(Math.max(1, e[1] / e[3])) : 1);
  }
  const errorNm: number[] = [], modelErrorNm: number[] = [], crlbScale: number[] = [];
  for (const k of keys) {
    const none = { e2: 0, c2: 0, n: 0 };
    const b = atBead.get(k) ?? none, s = atSpot.get(k) ?? none;
    const bE = b.n > 0 ? b.e2 / b.n : 0, bC = b.n > 0 ? b.c2 / b.n : 0;
    if (s.n < limits.minFits) {
      errorNm.push(Math.sqrt(bE));
      modelErrorNm.push(Math.sqrt(bE));
      crlbScale.push(1);
      continue;
    }
    const sE = s.e2 / s.n, sC = s.c2 / s.n;
    // e² + κ²·C through the two points (bE, bC) and (sE, sC); κ² ≥ 1, e² ≥ 0.
    let k2 = sC > bC ? (sE - bE) / (sC - bC) : 1;
    if (!(k2 >= 1)) k2 = 1;
    let e2 = sE - k2 * sC;
    if (e2 < 0) {
      e2 = 0;
      k2 = Math.max(1, sE / sC);
    }
    errorNm.push(Math.sqrt(Math.max(0, sE - sC)));
    modelErrorNm.push(Math.sqrt(e2));
    crlbScale.push(Math.sqrt(k2));
  }
  return { zNm, errorNm, modelErrorNm, crlbScale, crlbScaleX, crlbScaleY };
}
