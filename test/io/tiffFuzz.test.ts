import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { TiffError } from '../../src/io/TiffError.js';
import { TiffStack } from '../../src/io/TiffStack.js';
import { Random } from '../../src/simulate/Random.js';
import { buildTiff } from './buildTiff.js';

const dir = mkdtempSync(join(tmpdir(), 'smlm-fuzz-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Valid stacks of every layout family the reader takes, mutated below. */
function bases(): Uint8Array[] {
  const w = 12;
  const h = 10;
  const frames = [0, 1, 2].map((f) => Array.from({ length: w * h }, (_, i) => (i * 7 + f * 13) % 200));
  return [
    buildTiff(frames, { width: w, height: h, sampleType: 'uint16' }),
    buildTiff(frames, { width: w, height: h, sampleType: 'uint16', bigTiff: true, littleEndian: false }),
    buildTiff(frames, { width: w, height: h, sampleType: 'float32', compression: 8, rowsPerStrip: 3 }),
    buildTiff(frames, { width: w, height: h, sampleType: 'uint16', compression: 5, tile: { width: 8, height: 8 } }),
    buildTiff(frames, { width: w, height: h, sampleType: 'uint16', compression: 5, predictor: 2, rowsPerStrip: 4 }),
    buildTiff(frames, { width: w, height: h, sampleType: 'uint16', description: 'ImageJ=1.54f\nimages=3\nunit=micron\n', extraTags: [[282, 5, [10, 1]], [283, 5, [10, 1]]] }),
    buildTiff(frames, { width: w, height: h, sampleType: 'uint16', description: 'ImageJ=1.54f\nimages=3\n', singleDirectory: true }),
  ];
}

test('fuzzed TIFFs (seeded, 700 mutants): every failure is a TiffError naming the file; nothing is allocated beyond what the file can hold', async () => {
  // 1–4 random byte edits (set, flip a bit, 0xff) anywhere in the file: headers, directories,
  // offsets, counts, compressed streams. Each mutant is opened and its first frames read.
  const rng = new Random(2026);
  const all = bases();
  const problems = new Map<string, number>();
  let readable = 0;
  for (let m = 0; m < 700; m++) {
    const bytes = all[m % all.length].slice();
    for (let e = 1 + Math.floor(rng.uniform() * 4); e > 0; e--) {
      const at = Math.floor(rng.uniform() * bytes.length);
      const kind = rng.uniform();
      bytes[at] = kind < 0.5 ? Math.floor(rng.uniform() * 256) : kind < 0.8 ? bytes[at] ^ (1 << Math.floor(rng.uniform() * 8)) : 0xff;
    }
    const path = join(dir, `mutant-${m}.tif`);
    writeFileSync(path, bytes);
    const size = statSync(path).size;
    try {
      const stack = TiffStack.open(path);
      try {
        for (let i = 0; i < Math.min(stack.metadata.frameCount, 4); i++) {
          const frame = await stack.readFrame(i);
          // Uncompressed frames come from the file's bytes; compressed ones at most 4096:1.
          assert.ok(frame.data.byteLength <= 4096 * size, `mutant ${m}: a frame of ${frame.data.byteLength} bytes from a ${size}-byte file`);
        }
      } finally {
        stack.close();
      }
      readable++;
    } catch (error) {
      assert.ok(error instanceof TiffError, `mutant ${m}: ${(error as Error)?.constructor?.name}: ${(error as Error)?.message}`);
      assert.ok(error.message.startsWith(`${path}: ${error.problem}: `), `mutant ${m}: ${error.message}`);
      assert.doesNotMatch(error.message, /typed array|out of range\. It must|allocation failed|undefined|NaN/, `mutant ${m}: an internal message: ${error.message}`);
      problems.set(error.problem, (problems.get(error.problem) ?? 0) + 1);
    }
  }
  // The mutants exercise both outcomes and several kinds of problem.
  assert.ok(readable > 50, `${readable} readable mutants`);
  assert.ok(problems.size >= 3 && (problems.get('corrupt') ?? 0) > 50, JSON.stringify([...problems]));
});

test('absurd sizes in a directory are refused naming the tag, before anything is allocated', async () => {
  const frame = Array.from({ length: 16 }, (_, i) => i);
  const cases: [string, Uint8Array, RegExp][] = [
    // ImageWidth 2^31 px: a frame would take 2^33 bytes.
    ['huge frame', buildTiff([frame], { width: 4, height: 4, sampleType: 'uint16', extraTags: [[256, 4, [2 ** 31]]] }), /corrupt: ImageWidth \(256\) × ImageLength \(257\) give 2147483648×4 px of uint16/],
    // StripOffsets claiming 100 000 values in a 200-byte file.
    ['offsets past the end', patchCount(buildTiff([frame], { width: 4, height: 4, sampleType: 'uint16' }), 273, 100_000), /corrupt: StripOffsets \(273\) in the directory at byte \d+ lists 100000 values at byte \d+, beyond the end of the file/],
  ];
  for (const [name, bytes, message] of cases) {
    const path = join(dir, `${name.replaceAll(' ', '-')}.tif`);
    writeFileSync(path, bytes);
    await assert.rejects(async () => {
      const stack = TiffStack.open(path);
      try {
        await stack.readFrame(0);
      } finally {
        stack.close();
      }
    }, (error: unknown) => error instanceof TiffError && message.test(error.message), name);
  }
});

/** Set the value count of `tag` in the first directory of a little-endian classic TIFF. */
function patchCount(bytes: Uint8Array, tag: number, count: number): Uint8Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const ifd = dv.getUint32(4, true);
  const n = dv.getUint16(ifd, true);
  for (let e = 0; e < n; e++) {
    const at = ifd + 2 + 12 * e;
    if (dv.getUint16(at, true) === tag) dv.setUint32(at + 4, count, true);
  }
  return bytes;
}
