import { AtomicFile } from '../io/AtomicFile.js';
import { writeTiff } from '../io/TiffWriter.js';
import type { BeadStackOptions } from './simulateBeadStack.js';
import { BEAD_STACK_DEFAULTS, simulateBeadStack } from './simulateBeadStack.js';

/**
 * Write a simulated bead z-stack ({@link simulateBeadStack}) as a uint16 TIFF, and its truth:
 * `"bead","x [nm]","y [nm]","z offset [nm]"` per bead (the offset is a bad bead's height above
 * the others), frame k imaged at z = zStartNm + k·zStepNm. Both files appear together when
 * whole ({@link AtomicFile}).
 * @returns the number of frames and beads
 * @throws FileWriteError naming the file a write failed on (neither file is then left)
 */
export function writeBeadStack(path: string, truthPath: string, options: BeadStackOptions = {}): { frames: number; beads: number } {
  const stack = simulateBeadStack(options);
  const rows = stack.beads.map((b, i) => `${i + 1},${b.xNm.toFixed(2)},${b.yNm.toFixed(2)},${options.bad?.[i]?.zOffsetNm ?? 0}`);
  const files: AtomicFile[] = [];
  try {
    files.push(new AtomicFile(path));
    writeTiff(files[0], stack.frames.map((f) => Uint16Array.from(f)), { width: stack.width, height: stack.height, sampleType: 'uint16', pixelSizeNm: options.pixelSizeNm ?? BEAD_STACK_DEFAULTS.pixelSizeNm });
    files.push(new AtomicFile(truthPath));
    files[1].append(`"bead","x [nm]","y [nm]","z offset [nm]"\n${rows.join('\n')}\n`);
    AtomicFile.commitAll(files);
  } catch (error) {
    AtomicFile.abandonAll(files);
    throw error;
  }
  return { frames: stack.frames.length, beads: stack.beads.length };
}
