import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDuration, ProgressReporter } from '../../src/cli/ProgressReporter.js';

/** A stand-in for process.stderr that records what is written. */
function stream(isTTY: boolean, columns = 80) {
  const written: string[] = [];
  return { written, stream: { isTTY, columns, write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream };
}

test('durations read as m:ss or h:mm:ss', () => {
  assert.equal(formatDuration(0), '0:00');
  assert.equal(formatDuration(75), '1:15');
  assert.equal(formatDuration(3700), '1:01:40');
});

test('not a terminal: a plain line every interval; a terminal: a bar redrawn in place with an ETA', () => {
  const plain = stream(false);
  const reporter = new ProgressReporter(plain.stream, { intervalSeconds: 10 });
  for (let s = 0; s <= 25; s++) reporter.update({ frames: s * 10, total: 1000, frame: s * 10, localizations: s * 400, seconds: s });
  assert.equal(plain.written.length, 2, 'at 10 and 20 s');
  assert.match(plain.written[1], /^frame 200 \(200\/1000\)  10 frames\/s  8,000 localizations  ETA 1:20\n$/);
  const tty = stream(true, 120);
  const bar = new ProgressReporter(tty.stream);
  bar.update({ frames: 500, total: 1000, frame: 500, localizations: 1, seconds: 2 });
  bar.done();
  assert.match(tty.written[0], /^\r\[#{12}\.{12}\] frame 500 \(500\/1000\)  250 frames\/s  1 localizations  ETA 0:02/);
  assert.equal(tty.written[1], '\n');
});

test('the bar fits the terminal: the ETA stays whole and a short bar stays, the other parts go first', () => {
  // 5000 of 10000 frames in 3 s: the full text "frame 5000 (5000/10000)  1667 frames/s  123,456 localizations  ETA 0:03" is 73 characters.
  for (const columns of [100, 80, 70, 60, 50, 40, 30, 20]) {
    const tty = stream(true, columns);
    const bar = new ProgressReporter(tty.stream);
    bar.update({ frames: 5000, total: 10000, frame: 5000, localizations: 123456, seconds: 3 });
    const visible = tty.written[0].replace('\r', '').replace('\x1b[K', '');
    assert.ok(visible.length <= columns - 1, `${columns} columns: ${visible.length} characters: ${visible}`);
    assert.match(visible, /ETA 0:03$/, `${columns} columns: ${visible}`);
    assert.match(visible, /^\[#{3,12}\.{2,12}\] /, `${columns} columns: a bar of 5 or more: ${visible}`);
    if (columns >= 100) assert.match(visible, /frame 5000 \(5000\/10000\)  1667 frames\/s  123,456 localizations  ETA 0:03$/);
  }
  // A long run at 60 columns: the hours of the ETA are kept, and the bar.
  const tty = stream(true, 60);
  const bar = new ProgressReporter(tty.stream);
  bar.update({ frames: 12345, total: 1000000, frame: 12345, localizations: 9876543, seconds: 100 });
  const visible = tty.written[0].replace('\r', '').replace('\x1b[K', '');
  assert.ok(visible.length <= 59, visible);
  assert.match(visible, /^\[[#.]{5,24}\] 12345\/1000000 .*ETA 2:13:20$/, visible);
});

test('the rate and the ETA follow the recent progress, not the average since the start', () => {
  const plain = stream(false);
  const reporter = new ProgressReporter(plain.stream, { intervalSeconds: 1, rateWindowSeconds: 10 });
  // 100 frames/s for 60 s, then 10 frames/s for 30 s.
  let frames = 0;
  for (let s = 0; s <= 90; s++) {
    reporter.update({ frames, total: 100000, frame: frames, localizations: 0, seconds: s });
    frames += s < 60 ? 100 : 10;
  }
  const last = plain.written[plain.written.length - 1];
  assert.match(last, / 10 frames\/s /, last);
  // 100000 − 6300 frames at 10 frames/s: 2:36:10 (the average since the start, 70 frames/s, would say 22 min).
  assert.match(last, /ETA 2:36:1\d/, last);
});
