/**
 * The k-th smallest of a[0…n−1] (0-based; no NaN among them): the value `a.subarray(0, n).sort()[k]`
 * holds, by Hoare's selection with median-of-three pivots, in O(n) on average; reorders a[0…n−1].
 * The one selection of the camera estimate and of detection's noise and levels.
 * @param a - values (reordered in place)
 * @param k - rank, 0-based
 * @param n - how many values @default a.length
 */
export function selectKth(a: Float64Array, k: number, n: number = a.length): number {
  let lo = 0;
  let hi = n - 1;
  while (hi > lo) {
    const mid = (lo + hi) >> 1;
    const x = a[lo], y = a[mid], z = a[hi];
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}
