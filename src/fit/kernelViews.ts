/**
 * Float64Array views of a kernel instance's memory, one per named buffer ({@link WasmMultiDepthFit},
 * {@link WasmEmitterSelector}): made again only when the memory has grown (its buffer replaced),
 * so a fit reuses them.
 * @param buffer - the module memory's current buffer
 * @param layout - each buffer's byte address and length (f64 values); its `data` entry tells whether the views are current
 * @param views - the views made last time, or undefined
 * @returns `views` when still current, else new views of `buffer`
 */
export function kernelViews<K extends string>(buffer: ArrayBuffer, layout: Readonly<Record<K | 'data', readonly [number, number]>>, views: Record<K | 'data', Float64Array> | undefined): Record<K | 'data', Float64Array> {
  if (views && views.data.buffer === buffer) return views;
  const made = {} as Record<K | 'data', Float64Array>;
  for (const name of Object.keys(layout) as (K | 'data')[]) {
    const [at, length] = layout[name];
    made[name] = new Float64Array(buffer, at, length);
  }
  return made;
}
