import { writeFileSync } from 'node:fs';
import { writeTiff } from '../io/TiffWriter.js';
import type { BeadStackOptions } from './simulateBeadStack.js';
import { simulateBeadStack } from './simulateBeadStack.js';

/**
 * Write a simulated bead z-stack ({@link simulateBeadStack}) as a uint16 TIFF, and its truth:
 * `"bead","x [nm]","y [nm]","z offset [nm]"` per bead (the offset is a bad bead's height above
 * the others), frame k imaged at z = zStartNm + k·zStepNm.
 * @returns the number of frames and beads
 */
export function writeBeadStack(path: string, truthPath: string, options: BeadStackOptions = {}): { frames: number; beads: number } {
  const stack = simulateBeadStack(options);
  writeTiff(path, stack.frames.map((f) => Uint16Array.from(f)), { width: stack.width, height: stack.height, sampleType: 'uint16', pixelSizeNm: options.pixelSizeNm ?? 100 });
  const rows = stack.beads.map((b, i) => `${i + 1},${b.xNm.toFixed(2)},${b.yNm.toFixed(2)},${options.bad?.[i]?.zOffsetNm ?? 0}`);
  writeFileSync(truthPath, `"bead","x [nm]","y [nm]","z offset [nm]"\n${rows.join('\n')}\n`);
  return { frames: stack.frames.length, beads: stack.beads.length };
}
