/**
 * One-off converter (kept so the committed files can be rebuilt and checked): storm-analysis's
 * test movies (.dax: big-endian uint16 frames) and their true positions (.bin: Insight3's
 * molecule list, 1-based pixel coordinates) into the TIFF stacks and truth CSVs of
 * test/data/thirdparty/storm-analysis/ (see its README.md for what each file is).
 *
 * Usage: node --import tsx test/thirdParty/convertStormAnalysis.ts SOURCE_DIR OUT_DIR
 * where SOURCE_DIR holds storm_analysis/test/data's files.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeTiff } from '../../src/io/TiffWriter.js';

const PIXEL_NM = 160; // the movies' settings files (pixel_size 160.0)
const [source, out] = process.argv.slice(2);
if (!source || !out) throw new Error('usage: convertStormAnalysis.ts SOURCE_DIR OUT_DIR');

/** Frames of a .dax movie (big-endian uint16), each width·height row-major (whole frames only). */
function readDax(path: string, width: number, height: number): Uint16Array[] {
  const bytes = readFileSync(path);
  const n = bytes.length / (2 * width * height);
  const frames: Uint16Array[] = [];
  for (let f = 0; f < n; f++) {
    const frame = new Uint16Array(width * height);
    for (let i = 0; i < frame.length; i++) frame[i] = bytes.readUInt16BE(2 * (f * width * height + i));
    frames.push(frame);
  }
  return frames;
}

interface Molecule { frame: number; xPx: number; yPx: number; zNm: number; photons: number; background: number }

/** An Insight3 .bin list: 16-byte header, 72-byte records; x, y in 1-based pixels, frame from 1. */
function readBin(path: string): Molecule[] {
  const b = readFileSync(path);
  const n = b.readInt32LE(12);
  const list: Molecule[] = [];
  for (let i = 0; i < n; i++) {
    const at = 16 + 72 * i;
    list.push({ xPx: b.readFloatLE(at) - 1, yPx: b.readFloatLE(at + 4) - 1, photons: b.readFloatLE(at + 40), background: b.readFloatLE(at + 36), frame: b.readInt32LE(at + 52), zNm: b.readFloatLE(at + 64) });
  }
  return list.sort((a, b) => a.frame - b.frame);
}

function writeTruth(path: string, list: Molecule[], frameShift = 0): void {
  const rows = list.map((m) => `${m.frame - frameShift},${((m.xPx + 0.5) * PIXEL_NM).toFixed(3)},${((m.yPx + 0.5) * PIXEL_NM).toFixed(3)},${m.zNm.toFixed(3)},${m.photons}`);
  writeFileSync(path, ['"frame","x [nm]","y [nm]","z [nm]","photons"', ...rows].join('\n') + '\n');
}

const W = 256;
// 3-D: test_spliner.dax, 20 frames, the same 36 emitters on a 6 × 6 grid (40 px apart) in every
// frame, z from −750 to +750 nm in 35 steps along the grid. Frames 1–10 become 10 "beads":
// bead b's plane k is the 32 × 32 px window about emitter k of frame b (independent noise
// per bead); frames 11–20 are the movie to localize (its truth: the same emitters).
const spliner = readDax(join(source, 'test_spliner.dax'), W, W);
const truth3d = readBin(join(source, 'test_spliner_olist.bin'));
const grid = truth3d.filter((m) => m.frame === 1).sort((a, b) => a.zNm - b.zNm);
const BOX = 32, COLS = 5, ROWS = 2;
const beadFrames: Uint16Array[] = [];
for (const m of grid) {
  const plane = new Uint16Array(COLS * BOX * ROWS * BOX);
  for (let b = 0; b < COLS * ROWS; b++) {
    const src = spliner[b];
    const x0 = Math.round(m.xPx) - BOX / 2, y0 = Math.round(m.yPx) - BOX / 2;
    const tx = (b % COLS) * BOX, ty = Math.floor(b / COLS) * BOX;
    for (let y = 0; y < BOX; y++) for (let x = 0; x < BOX; x++) plane[(ty + y) * COLS * BOX + tx + x] = src[(y0 + y) * W + x0 + x];
  }
  beadFrames.push(plane);
}
writeTiff(join(out, 'spliner-beads.tif'), beadFrames, { width: COLS * BOX, height: ROWS * BOX, pixelSizeNm: PIXEL_NM });
writeTiff(join(out, 'spliner-movie.tif'), spliner.slice(10), { width: W, height: W, pixelSizeNm: PIXEL_NM });
writeTruth(join(out, 'spliner-movie.truth.csv'), truth3d.filter((m) => m.frame > 10), 10);
// The same PSF, another movie: test_300x200_dh.dax, 5 frames of 300 × 200 px, 24 emitters a
// frame on a grid, z from −750 to +750 nm in 23 steps (65.2 nm: between the beads' planes).
writeTiff(join(out, 'dh-300x200.tif'), readDax(join(source, 'test_300x200_dh.dax'), 300, 200), { width: 300, height: 200, pixelSizeNm: PIXEL_NM });
writeTruth(join(out, 'dh-300x200.truth.csv'), readBin(join(source, 'test_300x200_dh_olist.bin')));
console.log('z planes', grid.map((m) => m.zNm.toFixed(1)).join(' '));

// 2-D dense: test_l1h.dax, one frame, 2000 emitters on 256² px of 160 nm (1.19 per µm²).
writeTiff(join(out, 'l1h-dense.tif'), readDax(join(source, 'test_l1h.dax'), W, W), { width: W, height: W, pixelSizeNm: PIXEL_NM });
writeTruth(join(out, 'l1h-dense.truth.csv'), readBin(join(source, 'test_l1h_olist.bin')));
// 2-D sparse: test.dax, its first 5 of 10 frames, 200 emitters each (0.12 per µm²).
writeTiff(join(out, 'daostorm-2d.tif'), readDax(join(source, 'test.dax'), W, W).slice(0, 5), { width: W, height: W, pixelSizeNm: PIXEL_NM });
writeTruth(join(out, 'daostorm-2d.truth.csv'), readBin(join(source, 'test_olist.bin')).filter((m) => m.frame <= 5));
