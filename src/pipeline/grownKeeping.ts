/**
 * A byte array that holds at least `count` entries: `a` itself when it does, else a new one of
 * 2·`count` (room to grow without a copy per row) with `a`'s entries kept at the front. For the
 * residual passes' per-row flags, which grow with the rows of a frame.
 * @param a - the flags now
 * @param count - entries needed
 */
export function grownKeeping(a: Uint8Array<ArrayBuffer>, count: number): Uint8Array<ArrayBuffer> {
  if (a.length >= count) return a;
  const b = new Uint8Array(2 * count);
  b.set(a);
  return b;
}
