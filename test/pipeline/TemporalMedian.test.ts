import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Frame } from '../../src/io/Frame.js';
import type { BackgroundFrame } from '../../src/pipeline/TemporalMedian.js';
import { TemporalMedian } from '../../src/pipeline/TemporalMedian.js';

/**
 * Small random frames (seeded): uint16 with ties, as a camera gives them (counted), with a
 * bright outlier now and then that makes a pixel span more than the counts (selected); or
 * float32 with fractions (selected).
 */
function frames(count: number, pixels = 7, seed = 3, type: 'uint16' | 'float32' = 'uint16'): Frame[] {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const value = () => (type === 'float32' ? 100 + rand() * 40 : 100 + Math.floor(rand() * 40) + (rand() < 0.03 ? 6000 : 0));
  return Array.from({ length: count }, (_, index) => ({ index, width: pixels, height: 1, data: type === 'float32' ? Float32Array.from({ length: pixels }, value) : Uint16Array.from({ length: pixels }, value) }));
}

/** Brute force: the median over positions [lo, hi] of pixel p (mean of the middle two for an even count). */
function bruteMedian(all: Frame[], lo: number, hi: number, p: number): number {
  const v = all.slice(lo, hi + 1).map((f) => f.data[p]).sort((a, b) => a - b);
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

/** Brute force: the exact median of frame t's window (W, clamped inside T frames). */
function bruteWindow(all: Frame[], t: number, w: number, p: number): number {
  const T = all.length;
  if (T < w) return bruteMedian(all, 0, T - 1, p);
  const h = (w - 1) / 2;
  const c = Math.min(Math.max(t, h), T - 1 - h);
  return bruteMedian(all, c - h, c + h, p);
}

function run(step: TemporalMedian, input: Frame[]): BackgroundFrame[] {
  const out: BackgroundFrame[] = [];
  for (const f of input) out.push(...step.push(f));
  out.push(...step.finish());
  return out;
}

test('with an anchor at every frame, each background is the exact median of its window (brute force)', () => {
  for (const [T, W, type] of [[40, 7, 'uint16'], [40, 9, 'float32'], [5, 7, 'uint16'], [6, 7, 'uint16'], [6, 7, 'float32'], [7, 7, 'uint16'], [1, 3, 'uint16'], [13, 1, 'uint16']] as const) {
    const all = frames(T, 7, 3, type);
    const step = new TemporalMedian(W, 1);
    const out = run(step, all);
    assert.deepEqual(out.map((f) => f.index), all.map((f) => f.index), `T ${T} W ${W}: every frame, in order`);
    // Float32 frames: the median is one of their values, or the mean of two (rounded to float32).
    for (const f of out) for (let p = 0; p < 7; p++) assert.equal(f.background?.[p], Math.fround(bruteWindow(all, f.index, W, p)), `T ${T} W ${W} ${type} frame ${f.index} pixel ${p}`);
    assert.ok(step.maxHeld <= W, `T ${T} W ${W}: held ${step.maxHeld} frames, at most the window`);
  }
});

test('between anchors the background is the straight line between the exact medians', () => {
  const T = 53;
  const W = 11;
  const k = 4;
  const all = frames(T);
  const step = new TemporalMedian(W, k);
  const out = run(step, all);
  assert.equal(out.length, T);
  const anchors = [...Array.from({ length: Math.ceil(T / k) }, (_, i) => i * k).filter((a) => a < T), T - 1].filter((a, i, list) => list.indexOf(a) === i);
  for (const f of out) {
    const t = f.index;
    const a1 = anchors.find((a) => a >= t) as number;
    const a0 = anchors[Math.max(0, anchors.indexOf(a1) - 1)];
    for (let p = 0; p < 7; p++) {
      const m0 = bruteWindow(all, a0, W, p);
      const m1 = bruteWindow(all, a1, W, p);
      const expected = a1 === a0 ? m1 : m0 + ((m1 - m0) * (t - a0)) / (a1 - a0);
      // Float32 storage of the interpolated value: relative rounding 2^-24 of ~140.
      assert.ok(Math.abs((f.background as Float32Array)[p] - expected) < 1e-4, `frame ${t} pixel ${p}: ${f.background?.[p]} vs ${expected}`);
    }
  }
  assert.ok(step.maxHeld <= W, `held ${step.maxHeld} frames, at most the window`);
});

test('a frame waits for no more than half a window plus the anchor spacing', () => {
  const W = 21;
  const k = 5;
  const step = new TemporalMedian(W, k);
  let latest = -1;
  for (const f of frames(100)) {
    for (const o of step.push(f)) latest = o.index;
    if (f.index >= W) assert.ok(f.index - latest <= (W - 1) / 2 + k, `frame ${f.index} in, frame ${latest} out`);
  }
});

test('a part of a run, read with its halo, gets the backgrounds of the whole run exactly', () => {
  const T = 97;
  const W = 15;
  const k = 3;
  const all = frames(T);
  const whole = run(new TemporalMedian(W, k), all);
  for (const [first, end] of [[0, 10], [10, 32], [31, 90], [90, 97], [0, 97], [50, 51]] as const) {
    const halo = TemporalMedian.haloOf(T, first, end, W, k);
    const step = new TemporalMedian(W, k, { runLength: T, first, end });
    const part = run(step, all.slice(halo.from, halo.to));
    assert.deepEqual(part.map((f) => f.index), whole.slice(first, end).map((f) => f.index), `part ${first}–${end}`);
    for (const f of part) assert.deepEqual(f.background, whole[f.index].background, `part ${first}–${end}, frame ${f.index}`);
    assert.ok(step.maxHeld <= W);
  }
});

test('the step keeps its own copies: a reader that reuses a frame\'s buffer at once changes no background', () => {
  const T = 30;
  const W = 9;
  const all = frames(T);
  const expected = run(new TemporalMedian(W, 4), all);
  const step = new TemporalMedian(W, 4);
  const out: BackgroundFrame[] = [];
  for (const f of all) {
    const buffer = f.data.slice();
    out.push(...step.push({ ...f, data: buffer }));
    buffer.fill(0);
  }
  out.push(...step.finish());
  assert.deepEqual(out.map((f) => f.background), expected.map((f) => f.background));
});
