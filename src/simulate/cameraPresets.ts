/** The cameras a simulation can imitate with `cameraPreset` (`simulate --camera-preset`). */
export type CameraPreset = 'scmos' | 'ccd' | 'emccd';

/** A camera's settings, as the simulation options of the same names (units there). */
export interface CameraSettings {
  readonly baselineAdu: number;
  readonly photonsPerAdu: number;
  readonly readNoiseAdu: number;
  readonly emGain: number;
  readonly sensor: 'uniform' | 'scmos';
}

/**
 * Camera settings typical of each kind of camera, for stacks made as an unknown camera would
 * make them (nothing of this is written in the TIFF: only the simulation's truth file has it).
 * Explicit options (`baselineAdu`, `photonsPerAdu`, …) override a preset's.
 * - scmos: a scientific CMOS sensor (Hamamatsu ORCA-Flash-like): offset 400 ADU, 0.46 e⁻ per
 *   ADU, every pixel its own offset, gain and read noise (median 1.6 e⁻, 3 % hot pixels). The
 *   offset is far enough above 0 that the hot pixels' read noise (up to ~60 ADU) is never
 *   clipped at 0 ADU (at 100 ADU, 1 244 samples of a 200-frame 64×64 px dark stack were); the
 *   default `sensor: 'scmos'` keeps its own offset (100 ADU).
 * - ccd: a cooled interline CCD: offset 400 ADU, 2 e⁻ per ADU, read noise 6 e⁻ (3 ADU).
 * - emccd: an EMCCD (Andor iXon-like): offset 500 ADU, EM gain 100 (excess noise F² = 2),
 *   4.5 e⁻ per ADU after the EM register (≈ 22 ADU per photoelectron), read noise 45 e⁻ (10 ADU).
 */
export const CAMERA_PRESETS: Readonly<Record<CameraPreset, CameraSettings>> = {
  scmos: { baselineAdu: 400, photonsPerAdu: 0.46, readNoiseAdu: 3.5, emGain: 1, sensor: 'scmos' },
  ccd: { baselineAdu: 400, photonsPerAdu: 2, readNoiseAdu: 3, emGain: 1, sensor: 'uniform' },
  emccd: { baselineAdu: 500, photonsPerAdu: 4.5, readNoiseAdu: 10, emGain: 100, sensor: 'uniform' },
};

/** The preset names, in the order the help lists them. */
export const CAMERA_PRESET_NAMES = Object.keys(CAMERA_PRESETS) as CameraPreset[];
