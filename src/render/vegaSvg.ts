/**
 * Draw a Vega specification as SVG text (Vega's SVG renderer, no browser; fonts are the
 * viewer's). Vega is loaded when the first plot is asked for.
 * @param specification - a Vega (v6) specification
 */
export async function vegaSvg(specification: Record<string, unknown>): Promise<string> {
  const vega = await import('vega');
  const view = new vega.View(vega.parse(specification), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
