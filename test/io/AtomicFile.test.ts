/**
 * Whole-file outputs appear only when whole: a temporary name, renamed on success, removed on
 * failure, one error naming the file and the cause (issue 23: "every writer writes to a
 * temporary name and renames on success").
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { FileWriteError } from '../../src/errors/FileWriteError.js';
import { writeFileAtomically } from '../../src/export/writeFileAtomically.js';
import { AtomicFile } from '../../src/io/AtomicFile.js';
import type { FileSink } from '../../src/io/FileSink.js';
import { TiffStack } from '../../src/io/TiffStack.js';
import { writeTiff } from '../../src/io/TiffWriter.js';
import { fullDisk } from '../export/fullDisk.js';

const dir = mkdtempSync(join(tmpdir(), 'smlm-atomic-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const digest = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
/** The names in a folder (a test's own folder each, so nothing else is there). */
const listing = (folder: string) => readdirSync(folder).sort();

/** A sink whose every write fails with `code`, as the file system answers. */
function failingSink(code: string): FileSink {
  const fail = () => {
    throw Object.assign(new Error(`${code}: write`), { code, syscall: 'write' });
  };
  return { write: fail, truncate() {}, sync() {}, close() {} };
}

describe('AtomicFile', () => {
  test('a full disk mid-file: one error naming the final file and the cause; the earlier file unchanged, no temporary file', () => {
    const earlier = join(dir, 'earlier.bin');
    writeFileSync(earlier, 'the earlier file\n');
    const before = digest(earlier);
    const file = new AtomicFile(earlier, fullDisk(100));
    let caught: unknown;
    try {
      file.append(new Uint8Array(300));
    } catch (error) {
      caught = file.fail(error);
    }
    assert.ok(caught instanceof FileWriteError, String(caught));
    assert.equal(caught.message, `could not write ${earlier}: no space left on the device (ENOSPC)`);
    assert.equal(digest(earlier), before, 'the earlier file is unchanged');
    assert.ok(!existsSync(file.temporaryPath), 'no temporary file');
  });

  test('the causes a microscopist reads: a full disk, a quota, no permission, a read-only disk', () => {
    const cases: [string, string][] = [
      ['ENOSPC', 'no space left on the device (ENOSPC)'],
      ['EDQUOT', 'disk quota exceeded (EDQUOT)'],
      ['EACCES', 'permission denied (EACCES)'],
      ['EROFS', 'read-only file system (EROFS)'],
    ];
    for (const [code, words] of cases) {
      const path = join(dir, `${code}.bin`);
      const file = new AtomicFile(path, failingSink(code));
      assert.throws(() => file.append('x'), (e: unknown) => e instanceof FileWriteError && e.message === `could not write ${path}: ${words}`, code);
      file.abandon();
      assert.ok(!existsSync(path), code);
    }
  });

  test('committed: the bytes under the final name, no temporary file; a stale temporary link is replaced, not followed', () => {
    const folder = mkdtempSync(join(dir, 'commit-'));
    const victim = join(folder, 'victim.txt');
    writeFileSync(victim, 'not to be touched\n');
    const before = digest(victim);
    const path = join(folder, 'plot.png');
    symlinkSync(victim, AtomicFile.temporaryPath(path));
    writeFileAtomically(path, 'new bytes');
    assert.equal(readFileSync(path, 'utf8'), 'new bytes');
    assert.equal(digest(victim), before, 'the link target is unchanged');
    assert.deepEqual(listing(folder), ['plot.png', 'victim.txt']);
  });

  test('files written together: a failure in the last leaves none of them, not even the whole ones', () => {
    const folder = mkdtempSync(join(dir, 'group-'));
    const files = [new AtomicFile(join(folder, 'stack.tif')), new AtomicFile(join(folder, 'truth.csv'), fullDisk(10))];
    files[0].append('a whole first file');
    assert.throws(() => files[1].append('more than ten bytes'), /truth\.csv: no space left on the device/);
    AtomicFile.abandonAll(files);
    assert.deepEqual(listing(folder), []);
    const good = [new AtomicFile(join(folder, 'a.txt')), new AtomicFile(join(folder, 'b.txt'))];
    good[0].append('a');
    good[1].append('b');
    AtomicFile.commitAll(good);
    assert.deepEqual(listing(folder), ['a.txt', 'b.txt']);
    assert.equal(readFileSync(join(folder, 'b.txt'), 'utf8'), 'b');
  });

  test('an error that is not the disk (a bad input found while writing) is passed on as it is, the file still removed', () => {
    const path = join(dir, 'bad-input.bin');
    const file = new AtomicFile(path);
    file.append('half');
    const input = new RangeError('row 7: x is not a number');
    assert.equal(file.fail(input), input);
    assert.ok(!existsSync(file.temporaryPath) && !existsSync(path));
  });
});

describe('TIFF writing', () => {
  const frames = Array.from({ length: 4 }, (_, f) => Uint16Array.from({ length: 32 * 16 }, (_, i) => f * 100 + i));
  const options = { width: 32, height: 16, pixelSizeNm: 100 } as const;

  test('writeTiff to a path: readable pixel for pixel, no temporary file left', async () => {
    const folder = mkdtempSync(join(dir, 'tiff-'));
    const path = join(folder, 'stack.tif');
    writeTiff(path, frames, options);
    assert.deepEqual(listing(folder), ['stack.tif']);
    const stack = TiffStack.open(path);
    let k = 0;
    for await (const frame of stack.frames()) assert.deepEqual(Array.from(frame.data), Array.from(frames[k++]));
    stack.close();
    assert.equal(k, 4);
  });

  test('a full disk mid-stack: the error names the stack; the earlier stack unchanged', () => {
    const folder = mkdtempSync(join(dir, 'tiff-full-'));
    const path = join(folder, 'stack.tif');
    writeTiff(path, frames.slice(0, 1), options);
    const before = digest(path);
    const disk = fullDisk(2 * 32 * 16 * 2 + 600);
    const file = new AtomicFile(path, disk);
    assert.throws(
      () => writeTiff(file, frames, options),
      (e: unknown) => e instanceof FileWriteError && e.message === `could not write ${path}: no space left on the device (ENOSPC)`,
    );
    assert.ok(disk.length > 2 * 32 * 16 * 2, `${disk.length} bytes: two frames were written before the disk was full`);
    file.abandon();
    assert.equal(digest(path), before);
    assert.deepEqual(listing(folder), ['stack.tif']);
  });
});
