import assert from 'node:assert/strict';
import { test } from 'node:test';
import { choleskyFactor, choleskyInverseDiagonal, choleskySolve } from '../../src/fit/cholesky.js';

const spd = new Float64Array([4, 2, 0.6, 0.2, 2, 5, 1, 0.3, 0.6, 1, 3, 0.5, 0.2, 0.3, 0.5, 2]);

test('choleskySolve solves A·x = b', () => {
  const lower = new Float64Array(16);
  assert.ok(choleskyFactor(spd, 4, lower));
  const b = new Float64Array([1, -2, 3, 0.5]);
  const x = new Float64Array(4);
  choleskySolve(lower, 4, b, x);
  for (let r = 0; r < 4; r++) {
    let s = 0;
    for (let c = 0; c < 4; c++) s += spd[r * 4 + c] * x[c];
    assert.ok(Math.abs(s - b[r]) < 1e-13, `row ${r}`); // a few ulp of a well-conditioned 4×4
  }
});

test('choleskyInverseDiagonal gives diag(A⁻¹)', () => {
  const diagonal = new Float64Array(4);
  assert.ok(choleskyInverseDiagonal(spd, 4, diagonal, new Float64Array(20)));
  const lower = new Float64Array(16);
  choleskyFactor(spd, 4, lower);
  for (let i = 0; i < 4; i++) {
    const e = new Float64Array(4);
    e[i] = 1;
    const column = new Float64Array(4);
    choleskySolve(lower, 4, e, column);
    assert.ok(Math.abs(diagonal[i] - column[i]) < 1e-14);
  }
});

test('rejects indefinite and NaN matrices', () => {
  const lower = new Float64Array(4);
  assert.equal(choleskyFactor(new Float64Array([1, 2, 2, 1]), 2, lower), false);
  assert.equal(choleskyFactor(new Float64Array([Number.NaN, 0, 0, 1]), 2, lower), false);
  const diagonal = new Float64Array(2);
  assert.equal(choleskyInverseDiagonal(new Float64Array([0, 0, 0, 0]), 2, diagonal, new Float64Array(6)), false);
  assert.ok(Number.isNaN(diagonal[0]));
});
