import { InvalidOptionError } from '../errors/InvalidOptionError.js';
import { TiffStack } from '../io/TiffStack.js';
import type { CameraMaps } from './CameraModel.js';

/** The defaults of {@link readCameraMaps}: the maps start at the stack's top-left pixel (map column, row). */
export const CAMERA_MAP_DEFAULTS: { readonly origin: readonly [number, number] } = { origin: [0, 0] };

/** The calibration map files of a camera, and where a cropped stack starts on the sensor. */
export interface CameraMapFiles {
  /** Offset map, ADU. */
  offset?: string;
  /** Variance map, ADU². */
  variance?: string;
  /** Gain map, ADU per e⁻. */
  gain?: string;
  /** Map column and row of the stack's pixel (0, 0). @default {@link CAMERA_MAP_DEFAULTS} ([0, 0]) */
  origin?: readonly [number, number];
}

/**
 * Read a camera's calibration maps (storm-analysis, SMAP and PYME write them so): each a 2-D
 * TIFF (one image) of the sensor, any sample type, all of one size.
 * @param files - the map files and the origin
 * @returns the maps, with the files they came from (for the run's record)
 * @throws InvalidOptionError naming the file when a map is not 2-D or the sizes differ;
 *   TiffError when a file cannot be read
 */
export async function readCameraMaps(files: CameraMapFiles): Promise<CameraMaps & { sources: CameraMapFiles }> {
  const read = async (path: string | undefined, option: string) => {
    if (path === undefined) return undefined;
    const stack = TiffStack.open(path);
    try {
      const { frameCount, width, height } = stack.metadata;
      if (frameCount !== 1) throw new InvalidOptionError(`${path}: a camera map is one 2-D image, this file has ${frameCount} frames`, option);
      const frame = await stack.readFrame(0);
      return { width, height, values: Float32Array.from(frame.data), path };
    } finally {
      stack.close();
    }
  };
  const offset = await read(files.offset, 'camera.maps.offsetAdu');
  const variance = await read(files.variance, 'camera.maps.varianceAdu2');
  const gain = await read(files.gain, 'camera.maps.gainAduPerElectron');
  const given = [offset, variance, gain].filter((m) => m !== undefined);
  if (given.length === 0) throw new InvalidOptionError('camera maps: give at least one of the offset, variance and gain maps', 'camera.maps');
  const [first] = given;
  for (const m of given) {
    if (m.width !== first.width || m.height !== first.height) throw new InvalidOptionError(`${m.path}: the camera maps differ in size (${m.width}×${m.height} px here, ${first.width}×${first.height} px in ${first.path})`, 'camera.maps');
  }
  const [originX, originY] = files.origin ?? CAMERA_MAP_DEFAULTS.origin;
  return {
    width: first.width,
    height: first.height,
    offsetAdu: offset?.values,
    varianceAdu2: variance?.values,
    gainAduPerElectron: gain?.values,
    originX,
    originY,
    sources: files,
  };
}
