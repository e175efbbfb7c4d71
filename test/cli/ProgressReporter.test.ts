import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDuration, ProgressReporter } from '../../src/cli/ProgressReporter.js';

/** A stand-in for process.stderr that records what is written. */
function stream(isTTY: boolean) {
  const written: string[] = [];
  return { written, stream: { isTTY, write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream };
}

test('durations read as m:ss or h:mm:ss', () => {
  assert.equal(formatDuration(0), '0:00');
  assert.equal(formatDuration(75), '1:15');
  assert.equal(formatDuration(3700), '1:01:40');
});

test('not a terminal: a plain line every interval; a terminal: a bar redrawn in place with an ETA', () => {
  const plain = stream(false);
  const reporter = new ProgressReporter(plain.stream, 10);
  for (let s = 0; s <= 25; s++) reporter.update({ frames: s * 10, total: 1000, frame: s * 10, localizations: s * 400, seconds: s });
  assert.equal(plain.written.length, 2, 'at 10 and 20 s');
  assert.match(plain.written[1], /^frame 200 \(200\/1000\)  10 frames\/s  8,000 localizations  ETA 1:20\n$/);
  const tty = stream(true);
  const bar = new ProgressReporter(tty.stream);
  bar.update({ frames: 500, total: 1000, frame: 500, localizations: 1, seconds: 2 });
  bar.done();
  assert.match(tty.written[0], /^\r\[#{12}\.{12}\] frame 500 \(500\/1000\)  250 frames\/s  1 localizations  ETA 0:02/);
  assert.equal(tty.written[1], '\n');
});
