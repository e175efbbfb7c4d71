import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HeldWhileUsed } from '../../src/cluster/HeldWhileUsed.js';

test('a resource in use is never closed when a job of another key arrives; idle old keys are', async () => {
  const closed: string[] = [];
  const held = new HeldWhileUsed<string>((v) => closed.push(v));
  let made = 0;
  const make = (v: string) => () => {
    made++;
    return v;
  };
  // Job 1 of run A, then (while it runs) job 1 of run B: the old single cache closed A here.
  assert.equal(await held.acquire('A', make('a')), 'a');
  assert.equal(await held.acquire('B', make('b')), 'b');
  await new Promise(setImmediate);
  assert.deepEqual(closed, []);
  // A second job of run A shares its resource.
  assert.equal(await held.acquire('A', make('a2')), 'a');
  assert.equal(made, 2);
  held.release('A');
  held.release('A');
  await new Promise(setImmediate);
  // A is idle but the latest key asked for: kept for its run's next job; B is still in use.
  assert.deepEqual(closed, []);
  held.release('B');
  await new Promise(setImmediate); // closing waits on the resource's promise
  // B idle and not the latest: closed.
  assert.deepEqual(closed, ['b']);
  await held.closeAll();
  assert.deepEqual(closed, ['b', 'a']);
});

test('a resource that cannot be made fails every waiting job and is tried again by the next', async () => {
  const held = new HeldWhileUsed<number>(() => undefined);
  let tries = 0;
  const failing = async () => {
    tries++;
    throw new Error('the options resolve differently here');
  };
  await Promise.all([
    assert.rejects(held.acquire('A', failing), /resolve differently/),
    assert.rejects(held.acquire('A', failing), /resolve differently/),
  ]);
  assert.equal(tries, 1);
  assert.equal(await held.acquire('A', () => 7), 7);
});
