import type { BeadFrameReader } from '../astig/readBeadWindows.js';
import type { CameraModel } from '../camera/CameraModel.js';
import { frameCamera, resolveCamera, toPhotons } from '../camera/CameraModel.js';
import type { CameraEstimate, FrameSample } from '../camera/estimateCamera.js';
import { estimateCamera } from '../camera/estimateCamera.js';
import { InputFileError } from '../errors/InputFileError.js';
import { InvalidOptionError } from '../errors/InvalidOptionError.js';
import { FrameBufferPool } from '../io/FrameBufferPool.js';
import type { FrameStack } from '../io/TiffStack.js';
import { UsageError } from './UsageError.js';

/** A bead z-stack ready for the calibrations: its camera and its frames in photons. */
export interface BeadStack {
  /** The camera from the flags (the pixel size from them or the file). */
  readonly camera: CameraModel;
  /**
   * The frames in photons, one after another through one buffer (each is overwritten by the
   * next: the calibrations keep sums and windows, not frames); a frame of another size than the
   * first is an InputFileError naming the file. Can be called again (a second pass).
   */
  readonly readFrames: BeadFrameReader;
  /** Where the camera's offset and gain came from: the flags, the stack (estimated), or the defaults (the estimate failed: `warning` says why). */
  readonly cameraSource: 'given' | 'estimated' | 'defaults';
  /** The estimate used, when estimated. */
  readonly estimate?: CameraEstimate;
  /** Why the camera could not be estimated (the defaults were used). */
  readonly warning?: string;
}

/**
 * How the camera of a bead stack is estimated when no camera flag gives it: from up to
 * `frames` frames spread over the stack ({@link estimateCamera}: noise against brightness in
 * tiles; beads are few, the background fills most tiles). An estimate whose gain is known
 * worse than `maxGainRelativeSd` is not used (the defaults are, with a warning). Measured on
 * simulated bead stacks (offset 100 ADU, 1 e⁻/ADU, 81 frames): 10 frames gave 100.0 ± 3.0 ADU and
 * 0.95 ± 0.05 e⁻/ADU; all 81 frames 96.0 ± 1.0 ADU and 1.04 ± 0.02. Where ten frames leave the
 * gain too uncertain, up to `retryFrames` are read: a 160 nm-pixel stack of 33 frames (200 ADU,
 * 2 e⁻/ADU, 4 ADU read noise) gave 2.08 ± 0.33 from ten and fell back to the defaults (100 ADU,
 * 1 e⁻/ADU), which moved its leave-one-bead-out error from 10.9 to 13.3 nm and its uncertainty_z
 * from 1.19 to 1.28 × too small (test/bench/userOptics.ts em160 --beads grid).
 */
export const BEAD_CAMERA_ESTIMATE = { frames: 10, retryFrames: 40, maxGainRelativeSd: 0.15 } as const;

/**
 * The camera of a bead z-stack from the camera flags (CAMERA_CONVERSION_FLAGS: --pixel-size,
 * --baseline, --photons-per-adu, --em-gain, --qe; and --saturation where the command has it)
 * and the stack's frames converted to photons, for calibrate-3d and calibrate-psf.
 *
 * @param input - the stack's name, for messages
 * @param stack - the open stack
 * @param flag - a flag's number, undefined where not given
 * @param options - `saturation`: read --saturation too @default false; `estimateCamera`: when
 *   neither --baseline nor --photons-per-adu is given, estimate them from the stack
 *   ({@link BEAD_CAMERA_ESTIMATE}) @default false
 * @throws UsageError when neither the flags nor the file give the pixel size
 */
export async function readBeadStack(input: string, stack: FrameStack, flag: (name: string) => number | undefined, options: { saturation?: boolean; estimateCamera?: boolean } = {}): Promise<BeadStack> {
  const metadata = stack.metadata;
  const pixelSizeNm = flag('pixel-size') ?? metadata.pixelSizeNm;
  if (pixelSizeNm === undefined) throw new UsageError(`${input}: the file gives no pixel size; pass --pixel-size NM`);
  let cameraSource: BeadStack['cameraSource'] = 'given';
  let estimate: CameraEstimate | undefined;
  let warning: string | undefined;
  if (options.estimateCamera && flag('baseline') === undefined && flag('photons-per-adu') === undefined) {
    // Ten frames first; where their gain is too uncertain, more frames (a short stack, a noisy camera).
    for (const frames of [BEAD_CAMERA_ESTIMATE.frames, BEAD_CAMERA_ESTIMATE.retryFrames]) {
      if (estimate || (frames > BEAD_CAMERA_ESTIMATE.frames && metadata.frameCount <= BEAD_CAMERA_ESTIMATE.frames)) break;
      const step = Math.max(1, Math.floor(metadata.frameCount / frames));
      const sample: FrameSample[] = [];
      for await (const frame of stack.frames({ step, end: step * frames })) sample.push({ data: frame.data.slice(), width: frame.width, height: frame.height });
      try {
        const e = estimateCamera(sample, { emGain: flag('em-gain'), qe: flag('qe') });
        if (e.photonsPerAduSd / e.photonsPerAdu <= BEAD_CAMERA_ESTIMATE.maxGainRelativeSd) [estimate, cameraSource, warning] = [e, 'estimated', undefined];
        else warning = `the gain estimated from ${sample.length} frames of the stack, ${e.photonsPerAdu.toFixed(3)} ± ${e.photonsPerAduSd.toFixed(3)} e⁻/ADU, is too uncertain`;
      } catch (error) {
        if (!(error instanceof InvalidOptionError)) throw error;
        warning = error.message;
      }
    }
    if (!estimate) cameraSource = 'defaults';
  }
  const camera = resolveCamera({
    pixelSizeNm,
    baselineAdu: flag('baseline') ?? estimate?.baselineAdu,
    photonsPerAdu: flag('photons-per-adu') ?? estimate?.photonsPerAdu,
    ...(estimate ? { readNoiseElectrons: estimate.readNoiseElectrons } : {}),
    emGain: flag('em-gain'),
    qe: flag('qe'),
    ...(options.saturation ? { saturationAdu: flag('saturation') } : {}),
  });
  const { width, height } = metadata;
  const perFrame = frameCamera(camera, width, height);
  const photons = new Float32Array(width * height);
  const pool = new FrameBufferPool(2);
  const readFrames = async function* () {
    for await (const frame of stack.frames({ buffers: pool })) {
      if (frame.width !== width || frame.height !== height) {
        throw new InputFileError(`${input}: frame ${frame.index + 1} is ${frame.width}×${frame.height} px where the first is ${width}×${height} px: a bead z-stack has one frame size`);
      }
      toPhotons(perFrame, frame.data, photons);
      pool.give(frame.data.buffer as ArrayBuffer);
      yield photons;
    }
  };
  return { camera, readFrames, cameraSource, estimate, warning };
}
