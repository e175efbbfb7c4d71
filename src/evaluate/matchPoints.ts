import { assignMinCost } from './assignMinCost.js';

/** Matched pairs between truth and localizations of one frame (indices into each list). */
export interface Matches {
  truth: number[];
  found: number[];
}

/**
 * Optimal one-to-one matching of localizations to true positions within a distance
 * (the EPFL SMLM challenge rule): minimise the total distance over pairs closer than
 * `tolerance`. Points are split into groups connected by such pairs, and each group is solved
 * exactly by the Hungarian algorithm (pairs beyond the tolerance cost more than any match, so
 * they are never preferred and are dropped from the result).
 *
 * @param tx - true x (nm)
 * @param ty - true y (nm)
 * @param fx - found x (nm)
 * @param fy - found y (nm)
 * @param tolerance - largest matching distance, nm
 */
export function matchPoints(tx: ArrayLike<number>, ty: ArrayLike<number>, fx: ArrayLike<number>, fy: ArrayLike<number>, tolerance: number): Matches {
  const nt = tx.length;
  const nf = fx.length;
  const t2 = tolerance * tolerance;
  // Union-find over truth (0…nt−1) and found (nt…nt+nf−1) points joined by close pairs.
  const parent = Int32Array.from({ length: nt + nf }, (_, i) => i);
  const root = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  };
  const order = Int32Array.from({ length: nf }, (_, i) => i).sort((a, b) => fx[a] - fx[b]);
  for (let a = 0; a < nt; a++) {
    for (const b of order) {
      const dx = fx[b] - tx[a];
      if (dx < -tolerance) continue;
      if (dx > tolerance) break;
      const dy = fy[b] - ty[a];
      if (dx * dx + dy * dy <= t2) parent[root(a)] = root(nt + b);
    }
  }
  const groups = new Map<number, { truth: number[]; found: number[] }>();
  for (let i = 0; i < nt + nf; i++) {
    const r = root(i);
    let g = groups.get(r);
    if (!g) groups.set(r, (g = { truth: [], found: [] }));
    if (i < nt) g.truth.push(i);
    else g.found.push(i - nt);
  }
  const out: Matches = { truth: [], found: [] };
  const big = 1e3 * tolerance;
  for (const g of groups.values()) {
    if (g.truth.length === 0 || g.found.length === 0) continue;
    const rowsAreTruth = g.truth.length <= g.found.length;
    const rows = rowsAreTruth ? g.truth : g.found;
    const cols = rowsAreTruth ? g.found : g.truth;
    const cost = new Float64Array(rows.length * cols.length);
    for (let r = 0; r < rows.length; r++) {
      for (let c = 0; c < cols.length; c++) {
        const [a, b] = rowsAreTruth ? [rows[r], cols[c]] : [cols[c], rows[r]];
        const d = Math.hypot(fx[b] - tx[a], fy[b] - ty[a]);
        cost[r * cols.length + c] = d <= tolerance ? d : big;
      }
    }
    const assignment = assignMinCost(cost, rows.length, cols.length);
    for (let r = 0; r < rows.length; r++) {
      const c = assignment[r];
      if (cost[r * cols.length + c] > tolerance) continue;
      out.truth.push(rowsAreTruth ? rows[r] : cols[c]);
      out.found.push(rowsAreTruth ? cols[c] : rows[r]);
    }
  }
  return out;
}
