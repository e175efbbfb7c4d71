import type { BeadFrameReader } from '../astig/readBeadWindows.js';
import type { CameraModel } from '../camera/CameraModel.js';
import { frameCamera, resolveCamera, toPhotons } from '../camera/CameraModel.js';
import { InputFileError } from '../errors/InputFileError.js';
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
}

/**
 * The camera of a bead z-stack from the camera flags (CAMERA_CONVERSION_FLAGS: --pixel-size,
 * --baseline, --photons-per-adu, --em-gain, --qe; and --saturation where the command has it)
 * and the stack's frames converted to photons, for calibrate-3d and calibrate-psf.
 *
 * @param input - the stack's name, for messages
 * @param stack - the open stack
 * @param flag - a flag's number, undefined where not given
 * @param options - `saturation`: read --saturation too @default false
 * @throws UsageError when neither the flags nor the file give the pixel size
 */
export function readBeadStack(input: string, stack: FrameStack, flag: (name: string) => number | undefined, options: { saturation?: boolean } = {}): BeadStack {
  const metadata = stack.metadata;
  const pixelSizeNm = flag('pixel-size') ?? metadata.pixelSizeNm;
  if (pixelSizeNm === undefined) throw new UsageError(`${input}: the file gives no pixel size; pass --pixel-size NM`);
  const camera = resolveCamera({
    pixelSizeNm,
    baselineAdu: flag('baseline'),
    photonsPerAdu: flag('photons-per-adu'),
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
  return { camera, readFrames };
}
