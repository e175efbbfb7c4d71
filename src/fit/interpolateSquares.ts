/**
 * A by-depth table's value squared at `zNm`: v² interpolated linearly between the two nodes about
 * it (variances and squared scales add, so the squares are what is interpolated), the end node's
 * beyond the table's ends. The table has at least one node and `zNm` is finite (the callers'
 * fallbacks come first): zModelErrorAt and lateralScaleAt.
 * @param zNm - depth, nm
 * @param nodes - the nodes' depths, nm, increasing
 * @param values - the value at each node (nm, or a scale)
 * @returns the value² at zNm
 */
export function interpolateSquares(zNm: number, nodes: readonly number[], values: readonly number[]): number {
  const last = nodes.length - 1;
  if (zNm <= nodes[0]) return values[0] * values[0];
  if (zNm >= nodes[last]) return values[last] * values[last];
  let k = 0;
  while (nodes[k + 1] < zNm) k++;
  const t = (zNm - nodes[k]) / (nodes[k + 1] - nodes[k]);
  return (1 - t) * values[k] * values[k] + t * values[k + 1] * values[k + 1];
}
