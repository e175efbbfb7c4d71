/**
 * Acquisitions split over many files, read as one stack: Micro-Manager OME-TIFF series (OME-XML
 * written here as Micro-Manager writes it: the first file lists every plane with its file's
 * UUID and name, the others say BinaryOnly), Micro-Manager's file names while it acquires,
 * folders, lists. Localized, each gives the CSV of the same frames stored in one file.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { localizeStack } from '../../pipelines/localizeStack.js';
import { openStack } from '../../src/io/openStack.js';
import { TiffError } from '../../src/io/TiffError.js';
import { TiffWriter, writeTiff } from '../../src/io/TiffWriter.js';
import { simulateStack } from '../../src/simulate/simulateStack.js';
import { CLI } from '../cli/cliArgs.js';
import { withEntry } from './buildTiff.js';

const dir = mkdtempSync(join(tmpdir(), 'smlm-series-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const SIM = { width: 48, height: 40, frames: 30, density: 0.4, minSeparationNm: 800, seed: 51 } as const;
const frames = [...simulateStack(SIM)].map((f) => f.adu);
const options = { width: SIM.width, height: SIM.height, pixelSizeNm: 100 };
const single = join(dir, 'single.tif');
/** A path as a literal part of a regular expression. */
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
writeTiff(single, frames, options);

/** Micro-Manager's OME-XML: the first file lists each plane (one TiffData a plane), the others point back. */
function microManager(folder: string, name: string, split: number[], uuids = ['A', 'B', 'C']): string[] {
  mkdirSync(folder, { recursive: true });
  const files = split.map((_, k) => `${name}_MMStack_Pos0${k === 0 ? '' : `_${k}`}.ome.tif`);
  let plane = 0;
  const tiffData: string[] = [];
  split.forEach((count, k) => {
    for (let ifd = 0; ifd < count; ifd++, plane++) {
      tiffData.push(`<TiffData FirstC="0" FirstT="${plane}" FirstZ="0" IFD="${ifd}" PlaneCount="1"><UUID FileName="${files[k]}">urn:uuid:${uuids[k]}</UUID></TiffData>`);
    }
  });
  const master = `<?xml version="1.0" encoding="UTF-8"?><OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" UUID="urn:uuid:${uuids[0]}"><Image ID="Image:0" Name="${name}_MMStack_Pos0"><Pixels BigEndian="false" DimensionOrder="XYCZT" ID="Pixels:0" PhysicalSizeX="0.1" PhysicalSizeXUnit="µm" PhysicalSizeY="0.1" SizeC="1" SizeT="${plane}" SizeX="${SIM.width}" SizeY="${SIM.height}" SizeZ="1" Type="uint16"><Channel ID="Channel:0:0" SamplesPerPixel="1"/>${tiffData.join('')}</Pixels></Image></OME>`;
  let at = 0;
  split.forEach((count, k) => {
    const description = k === 0 ? master : `<?xml version="1.0" encoding="UTF-8"?><OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06" UUID="urn:uuid:${uuids[k]}"><BinaryOnly MetadataFile="${files[0]}" UUID="urn:uuid:${uuids[0]}"/></OME>`;
    writeTiff(join(folder, files[k]), frames.slice(at, at + count), { ...options, pixelSizeNm: undefined, description });
    at += count;
  });
  return files.map((f) => join(folder, f));
}

describe('a stack over many files', () => {
  test('a Micro-Manager OME-TIFF series: named by its first file or any other, frames across files, the CSV of one file', async () => {
    const files = microManager(join(dir, 'mm'), 'cells', [12, 10, 8]);
    const expected = await localizeStack({ input: single, output: join(dir, 'single.csv') });
    const csv = readFileSync(join(dir, 'single.csv'), 'utf8');
    for (const [k, named] of files.entries()) {
      const opened = openStack(named);
      assert.equal(opened.stack.metadata.frameCount, 30);
      assert.equal(opened.stack.metadata.pixelSizeNm, 100, 'the series metadata: PhysicalSizeX');
      assert.deepEqual(opened.stack.metadata.series?.files, files);
      if (k > 0) assert.match(opened.notice ?? '', /is part of the OME-TIFF series of cells_MMStack_Pos0\.ome\.tif \(3 files, 30 frames\): localizing the series from its first frame/);
      // Random access maps to the right file.
      for (const i of [0, 11, 12, 21, 22, 29]) assert.deepEqual(Array.from((await opened.stack.readFrame(i)).data), Array.from(Uint16Array.from(frames[i])), `frame ${i}`);
      opened.stack.close();
      const out = join(dir, `mm-${k}.csv`);
      const notices: string[] = [];
      const summary = await localizeStack({ input: named, output: out, onNotice: (n) => notices.push(n) });
      assert.equal(summary.frames, 30);
      assert.equal(readFileSync(out, 'utf8'), csv, `named ${named}: the CSV of the single file`);
      assert.equal(summary.localizations, expected.localizations);
    }
    const workers = await localizeStack({ input: files[0], output: join(dir, 'mm-w.csv'), workers: 2 });
    assert.equal(workers.workers, 1, '30 frames are one chunk');
    const range = await localizeStack({ input: files[1], output: join(dir, 'mm-range.csv'), frames: { start: 10, end: 25 } });
    assert.equal(range.frames, 15, '--frames counts across the files');
  });

  test('a folder of one-frame TIFFs in natural order (frame_2 before frame_10), and an explicit list, give the CSV of one file', async () => {
    const folder = join(dir, 'folder');
    mkdirSync(folder);
    frames.forEach((f, i) => writeTiff(join(folder, `frame_${i + 1}.tif`), [f], options));
    const csv = readFileSync(join(dir, 'single.csv'), 'utf8');
    await localizeStack({ input: folder, output: join(dir, 'folder.csv') });
    assert.equal(readFileSync(join(dir, 'folder.csv'), 'utf8'), csv);
    const parts = [join(dir, 'p1.tif'), join(dir, 'p2.tif'), join(dir, 'p3.tif')];
    writeTiff(parts[0], frames.slice(0, 7), options);
    writeTiff(parts[1], frames.slice(7, 19), options);
    writeTiff(parts[2], frames.slice(19), options);
    await localizeStack({ input: parts, output: join(dir, 'list.csv') });
    assert.equal(readFileSync(join(dir, 'list.csv'), 'utf8'), csv);
    const r = spawnSync(process.execPath, [...CLI, 'localize', ...parts, '-o', join(dir, 'list-cli.csv'), '--quiet'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(join(dir, 'list-cli.csv'), 'utf8'), csv);
    const f = spawnSync(process.execPath, [...CLI, 'localize', folder, '--quiet'], { encoding: 'utf8' });
    assert.equal(f.status, 0, f.stderr);
    assert.equal(readFileSync(join(dir, 'folder.csv'), 'utf8'), csv, 'the default output of a folder is FOLDER.csv beside it');
  });

  test('missing or inconsistent parts: an error naming the file; the frames before a missing file are kept', async () => {
    const files = microManager(join(dir, 'broken'), 'gone', [12, 10, 8]);
    renameSync(files[2], `${files[2]}.moved`);
    const error = await localizeStack({ input: files[0], output: join(dir, 'gone.csv') }).catch((e: unknown) => e);
    assert.ok(error instanceof TiffError, String(error));
    assert.match(error.message, /gone_MMStack_Pos0_2\.ome\.tif: series: gone_MMStack_Pos0\.ome\.tif lists this file for frames 23–30, and it cannot be read/);
    const kept = (error as unknown as { summary: { frames: number } }).summary;
    assert.equal(kept.frames, 22, 'the frames of the first two files');
    const frameColumn = readFileSync(join(dir, 'gone.csv'), 'utf8').trim().split('\n').slice(1).map((l) => Number(l.split(',')[1]));
    assert.equal(Math.max(...frameColumn), 22);
    // A file of another acquisition (its UUID is not the one listed).
    const other = microManager(join(dir, 'uuid'), 'mixed', [12, 10, 8], ['A', 'B', 'C']);
    microManager(join(dir, 'uuid-other'), 'mixed', [12, 10, 8], ['X', 'Y', 'Z']);
    renameSync(join(dir, 'uuid-other', 'mixed_MMStack_Pos0_1.ome.tif'), other[1]);
    assert.throws(() => openStack(other[0]), /mixed_MMStack_Pos0_1\.ome\.tif: series: its UUID urn:uuid:Y is not the one mixed_MMStack_Pos0\.ome\.tif lists for it \(urn:uuid:B\)/);
    // A folder with a file of another size.
    const odd = join(dir, 'odd');
    mkdirSync(odd);
    writeTiff(join(odd, 'a1.tif'), frames.slice(0, 2), options);
    writeTiff(join(odd, 'a2.tif'), [new Float64Array(32 * 32)], { width: 32, height: 32 });
    writeTiff(join(odd, 'a3.tif'), [new Float64Array(16 * 16)], { width: 16, height: 16 });
    assert.throws(() => openStack(odd), /a2\.tif: mixed-frames: frame 3 of the series \(this file's first\) is 32×32 px uint16, where frame 1 \(a1\.tif\) is 48×40 px uint16/);
    assert.throws(() => openStack(join(dir, 'broken', 'nothing-here')), /unreadable/);
  });

  test('a frame of another size inside a later file of a list: the frames before it, then an error naming that file and its frame', async () => {
    const a = join(dir, 'mix-a.tif');
    const b = join(dir, 'mix-b.tif');
    writeTiff(a, frames.slice(0, 3), options);
    // b's frame 2 is 8 px narrower (its ImageWidth changed; its pixels stay where they were).
    writeTiff(b, frames.slice(3, 6), options);
    writeFileSync(b, withEntry(readFileSync(b), 1, 256, SIM.width - 8));
    const { stack } = openStack([a, b]);
    const got: number[] = [];
    await assert.rejects(async () => {
      for await (const frame of stack.frames()) got.push(frame.index);
    }, new RegExp(`${escape(b)}: mixed-frames: its frame 2 \\(frame 5 of the series\\) is 40×40 px uint16, where its frame 1 is 48×40 px uint16`));
    stack.close();
    assert.deepEqual(got, [0, 1, 2, 3], 'every frame before it');
  });

  test('follow mode: a file of another size appearing in a followed folder is an error naming it and the series frame it starts at', async () => {
    const folder = join(dir, 'follow-odd');
    mkdirSync(folder);
    writeTiff(join(folder, 'f1.tif'), frames.slice(0, 2), options);
    const { stack } = openStack(folder);
    const got: number[] = [];
    await assert.rejects(async () => {
      for await (const frame of stack.frames({ follow: true, pollIntervalMs: 5, idleTimeoutMs: 60_000 })) {
        got.push(frame.index);
        if (frame.index === 1) writeTiff(join(folder, 'f2.tif'), [new Float64Array(32 * 32)], { width: 32, height: 32 });
      }
    }, /f2\.tif: mixed-frames: frame 3 of the series \(this file's first\) is 32×32 px uint16, where frame 1 \(f1\.tif\) is 48×40 px uint16/);
    stack.close();
    assert.deepEqual(got, [0, 1]);
  });

  test('live: when Micro-Manager rolls over to the next file, reading continues into it', async () => {
    const folder = join(dir, 'live');
    mkdirSync(folder);
    const name = (k: number) => join(folder, `run_MMStack_Pos0${k === 0 ? '' : `_${k}`}.ome.tif`);
    // Three files of 10, 10 and 10 frames, written 15 ms apart, each started when the last is full.
    let writer = new TiffWriter(name(0), options);
    writer.append(frames[0]);
    let next = 1;
    const timer = setInterval(() => {
      if (next >= frames.length) {
        clearInterval(timer);
        writer.close();
        return;
      }
      if (next % 10 === 0) {
        writer.close();
        writer = new TiffWriter(name(next / 10), options);
      }
      writer.append(frames[next++]);
    }, 15);
    const seen: number[] = [];
    // The camera and σ given: a live run estimates them from the frames on disk when it starts
    // (here one), a run of the whole file from its first 30, so only given settings compare.
    const given = { cameraSource: 'given', psfSigmaNm: 130 } as const;
    const summary = await localizeStack({ input: name(0), output: join(dir, 'live.csv'), options: given, frames: { follow: true, idleTimeoutMs: 600, pollIntervalMs: 5 }, onProgress: (p) => seen.push(p.frame) });
    clearInterval(timer);
    assert.equal(summary.frames, 30);
    assert.deepEqual(seen, Array.from({ length: 30 }, (_, i) => i + 1), 'every frame, numbered across the files');
    await localizeStack({ input: single, output: join(dir, 'single-given.csv'), options: given });
    assert.equal(readFileSync(join(dir, 'live.csv'), 'utf8'), readFileSync(join(dir, 'single-given.csv'), 'utf8'));
  });
});
