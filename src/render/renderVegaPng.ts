import { vegaSvg } from './vegaSvg.js';

/**
 * A PNG of a Vega specification: Vega draws it as SVG (no browser, {@link vegaSvg}), resvg
 * rasterizes it at twice its size on white. Both are loaded only when a plot is asked for.
 * @param specification - a Vega (v6) specification
 * @returns the PNG's bytes
 */
export async function renderVegaPng(specification: Record<string, unknown>): Promise<Uint8Array> {
  const [svg, { Resvg }] = await Promise.all([vegaSvg(specification), import('@resvg/resvg-js')]);
  return new Resvg(svg, { background: 'white', fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: true } }).render().asPng();
}
