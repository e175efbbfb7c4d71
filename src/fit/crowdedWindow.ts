import { MULTI_EMITTER_MARGIN_PX } from './fitConstants.js';

/**
 * The width of a multi-emitter window for a fitting box of `box` px:
 * box + 2·{@link MULTI_EMITTER_MARGIN_PX}.
 * @param box - fitting box width, px
 * @returns the window's width, px
 */
export function crowdedWindow(box: number): number {
  return box + 2 * MULTI_EMITTER_MARGIN_PX;
}
