/** Row indices below this fit beside a 24-bit cell key in a double's 53-bit integer range. */
const ROW_FACTOR = 2 ** 28;

/** Cells per axis of the hashed grid (a power of two): cells this far apart share a bucket, harmlessly. */
const GRID_CELLS = 4096;
const GRID_MASK = GRID_CELLS - 1;

/** Frames are integers at most 10⁸ (MAX_FRAME, 27 bits): frame · 2²⁶ + row stays an exact double. */
const FRAME_FACTOR = 2 ** 26;

/**
 * For each localization, the distance to its nearest neighbour in the next frame (frame + 1)
 * within `radiusNm`: the distances NeNA histograms (Endesfelder et al., Histochem. Cell Biol.
 * 141:629, 2014). A grid search: the rows are sorted once by frame, each frame's rows by their
 * cell of side `radiusNm` (a hashed 4096 × 4096 grid: cells that share a bucket only add
 * candidates, each checked by its distance), and each localization looks at the 3 × 3 cells
 * around its own in the next frame, by binary search. O(N log N) with scratch allocated once;
 * 10⁶ rows take some 0.3 s.
 * @param frame - frame numbers (whole numbers, 0 to 10⁸; rows checked by the caller)
 * @param x - x, nm
 * @param y - y, nm
 * @param radiusNm - search radius, nm (> 0)
 * @returns the distances found (nm, one per localization that has a neighbour in the next frame within the radius), in no particular order
 */
export function nextFrameDistances(frame: ArrayLike<number>, x: ArrayLike<number>, y: ArrayLike<number>, radiusNm: number): Float64Array {
  const n = frame.length;
  if (n >= FRAME_FACTOR) throw new RangeError(`nextFrameDistances: at most ${FRAME_FACTOR - 1} rows, got ${n}`);
  // Rows by frame: a counting sort when the frames span at most a few times the rows (any real
  // acquisition), else one sort of frame · 2²⁶ + row (exact doubles, native numeric sort).
  const order = new Int32Array(n);
  const frameOf = new Float64Array(n); // the frame of order[i]
  let first = Infinity;
  let last = -Infinity;
  for (let r = 0; r < n; r++) {
    const f = Math.floor(frame[r]);
    if (f < first) first = f;
    if (f > last) last = f;
  }
  const scratch = new Float64Array(n);
  if (n > 0 && last - first < 4 * n + 16) {
    const start = new Int32Array(last - first + 2);
    for (let r = 0; r < n; r++) start[Math.floor(frame[r]) - first + 1]++;
    for (let k = 1; k < start.length; k++) start[k] += start[k - 1];
    for (let r = 0; r < n; r++) {
      const at = start[Math.floor(frame[r]) - first]++;
      order[at] = r;
      frameOf[at] = Math.floor(frame[r]);
    }
  } else {
    for (let r = 0; r < n; r++) scratch[r] = Math.floor(frame[r]) * FRAME_FACTOR + r;
    scratch.sort();
    for (let i = 0; i < n; i++) {
      const f = Math.floor(scratch[i] / FRAME_FACTOR);
      order[i] = scratch[i] - f * FRAME_FACTOR;
      frameOf[i] = f;
    }
  }
  // Within each frame, its rows by cell: cellKey · 2²⁸ + position in the frame's run of `order`.
  const cellSorted = scratch;
  const inverse = 1 / radiusNm;
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && frameOf[end] === frameOf[start]) end++;
    for (let i = start; i < end; i++) {
      const r = order[i];
      const key = ((Math.floor(x[r] * inverse) & GRID_MASK) * GRID_CELLS) + (Math.floor(y[r] * inverse) & GRID_MASK);
      cellSorted[i] = key * ROW_FACTOR + (i - start);
    }
    cellSorted.subarray(start, end).sort();
    start = end;
  }
  const distances = new Float64Array(n);
  let found = 0;
  const radius2 = radiusNm * radiusNm;
  // Walk the frames; for each frame f with a frame f + 1, search the next frame's run.
  let start = 0;
  while (start < n) {
    let end = start + 1;
    while (end < n && frameOf[end] === frameOf[start]) end++;
    const nextStart = end;
    if (nextStart < n && frameOf[nextStart] === frameOf[start] + 1) {
      let nextEnd = nextStart + 1;
      while (nextEnd < n && frameOf[nextEnd] === frameOf[nextStart]) nextEnd++;
      for (let i = start; i < end; i++) {
        const r = order[i];
        const px = x[r];
        const py = y[r];
        const cx = Math.floor(px * inverse);
        const cy = Math.floor(py * inverse);
        let best = Infinity;
        // The 3 × 3 cells as three runs of keys (cx + dx, cy − 1 … cy + 1), contiguous unless
        // cy − 1 or cy + 1 wraps round the hashed grid (then one run a cell).
        const low = (cy - 1) & GRID_MASK;
        const contiguous = low + 2 <= GRID_MASK;
        for (let dx = -1; dx <= 1; dx++) {
          const column = ((cx + dx) & GRID_MASK) * GRID_CELLS;
          for (let dy = contiguous ? 0 : -1; dy <= (contiguous ? 0 : 1); dy++) {
            const from = (contiguous ? column + low : column + ((cy + dy) & GRID_MASK)) * ROW_FACTOR;
            const to = from + (contiguous ? 3 : 1) * ROW_FACTOR;
            // First entry ≥ from in the next frame's sorted run.
            let a = nextStart;
            let b = nextEnd;
            while (a < b) {
              const m = (a + b) >>> 1;
              if (cellSorted[m] < from) a = m + 1;
              else b = m;
            }
            for (let k = a; k < nextEnd && cellSorted[k] < to; k++) {
              const key = cellSorted[k];
              const q = order[nextStart + (key - Math.floor(key / ROW_FACTOR) * ROW_FACTOR)];
              const ex = x[q] - px;
              const ey = y[q] - py;
              const d2 = ex * ex + ey * ey;
              if (d2 < best) best = d2;
            }
          }
        }
        if (best <= radius2) distances[found++] = Math.sqrt(best);
      }
    }
    start = end;
  }
  return distances.subarray(0, found);
}
