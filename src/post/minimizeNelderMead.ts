/** Result of {@link minimizeNelderMead}: the best point, its value, and the evaluations used. */
export interface NelderMeadResult {
  readonly x: Float64Array;
  readonly fx: number;
  readonly evaluations: number;
}

/**
 * Minimize a function of a few parameters by the Nelder–Mead simplex (reflection 1, expansion
 * 2, contraction ½, shrink ½; Lagarias et al., SIAM J. Optim. 9:112, 1998), for the small
 * likelihoods of the resolution estimates (a handful of parameters, a cheap objective). A NaN
 * value counts as +∞, so an objective can refuse a point outside its domain.
 * @param f - the objective
 * @param start - the start point (not modified)
 * @param steps - the initial simplex's step along each axis
 * @param maxEvaluations - the most evaluations of f @default 400 · dimension
 * @param tolerance - stop when the simplex's values differ by less than this @default 1e-10
 */
export function minimizeNelderMead(f: (x: Float64Array) => number, start: ArrayLike<number>, steps: ArrayLike<number>, maxEvaluations = 400 * start.length, tolerance = 1e-10): NelderMeadResult {
  const n = start.length;
  const value = (p: Float64Array) => {
    const v = f(p);
    return Number.isNaN(v) ? Infinity : v;
  };
  const points = Array.from({ length: n + 1 }, (_, k) => {
    const p = Float64Array.from(start);
    if (k > 0) p[k - 1] += steps[k - 1];
    return p;
  });
  const values = points.map(value);
  let evaluations = n + 1;
  const centroid = new Float64Array(n);
  const trial = new Float64Array(n);
  const trial2 = new Float64Array(n);
  const along = (t: number, out: Float64Array, worst: Float64Array) => {
    for (let i = 0; i < n; i++) out[i] = centroid[i] + t * (worst[i] - centroid[i]);
  };
  const order = new Int32Array(n + 1);
  while (evaluations < maxEvaluations) {
    // The vertices by value (insertion sort: a handful of them, no allocation).
    for (let k = 0; k <= n; k++) {
      let j = k;
      while (j > 0 && values[order[j - 1]] > values[k]) {
        order[j] = order[j - 1];
        j--;
      }
      order[j] = k;
    }
    const best = order[0];
    const worst = order[n];
    const second = order[n - 1];
    if (Math.abs(values[worst] - values[best]) <= tolerance * (Math.abs(values[best]) + tolerance)) break;
    centroid.fill(0);
    for (let v = 0; v < n; v++) for (let i = 0; i < n; i++) centroid[i] += points[order[v]][i] / n;
    along(-1, trial, points[worst]);
    const fr = value(trial);
    evaluations++;
    if (fr < values[best]) {
      along(-2, trial2, points[worst]);
      const fe = value(trial2);
      evaluations++;
      if (fe < fr) {
        points[worst].set(trial2);
        values[worst] = fe;
      } else {
        points[worst].set(trial);
        values[worst] = fr;
      }
      continue;
    }
    if (fr < values[second]) {
      points[worst].set(trial);
      values[worst] = fr;
      continue;
    }
    // Contract: outside when the reflection beat the worst, else inside.
    const outside = fr < values[worst];
    along(outside ? -0.5 : 0.5, trial2, points[worst]);
    const fc = value(trial2);
    evaluations++;
    if (fc < (outside ? fr : values[worst])) {
      points[worst].set(trial2);
      values[worst] = fc;
      continue;
    }
    for (let v = 1; v <= n; v++) {
      const k = order[v];
      for (let i = 0; i < n; i++) points[k][i] = points[best][i] + 0.5 * (points[k][i] - points[best][i]);
      values[k] = value(points[k]);
      evaluations++;
    }
  }
  let best = 0;
  for (let k = 1; k <= n; k++) if (values[k] < values[best]) best = k;
  return { x: Float64Array.from(points[best]), fx: values[best], evaluations };
}
