/**
 * A PNG of a Vega specification: Vega draws it as SVG (no browser), resvg rasterizes it at
 * twice its size on white. Both are loaded only when a plot is asked for.
 * @param specification - a Vega (v6) specification
 * @returns the PNG's bytes
 */
export async function renderVegaPng(specification: Record<string, unknown>): Promise<Uint8Array> {
  const [vega, { Resvg }] = await Promise.all([import('vega'), import('@resvg/resvg-js')]);
  const view = new vega.View(vega.parse(specification), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return new Resvg(svg, { background: 'white', fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: true } }).render().asPng();
}
