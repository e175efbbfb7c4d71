import { XMLParser } from 'fast-xml-parser';

/** One image plane of an OME dataset: where it is stored. */
export interface OmePlane {
  /** The plane's index in the dataset (C, Z, T flattened in the dimension order). */
  readonly index: number;
  /** The file holding it (OME's UUID FileName), or undefined: the file of this description. */
  readonly file: string | undefined;
  /** That file's UUID, when given. */
  readonly uuid: string | undefined;
  /** The plane's directory (IFD) index in that file. */
  readonly ifd: number;
}

/** What an OME-XML description says about where its planes are (the OME-TIFF specification). */
export interface OmeDescription {
  /** The UUID of the file the description is in. */
  readonly uuid: string | undefined;
  /** A "binary only" file's pointer to the file with the full metadata. */
  readonly binaryOnly: { readonly metadataFile: string; readonly uuid: string | undefined } | undefined;
  /** Pixel size along x, nm (PhysicalSizeX with its unit, µm by default). */
  readonly pixelSizeNm: number | undefined;
  /** Planes of the first image, in plane order (empty when the description lists none). */
  readonly planes: readonly OmePlane[];
  /** SizeC · SizeZ · SizeT of the first image. */
  readonly planeCount: number;
  /** SizeC, SizeZ and SizeT of the first image (1 each when it lists no pixels). */
  readonly sizes: { readonly C: number; readonly Z: number; readonly T: number };
  /** How planes are ordered, fastest first (DimensionOrder without XY: 'CZT' for XYCZT). */
  readonly order: string;
}

const NM_PER_UNIT: Readonly<Record<string, number>> = { nm: 1, 'µm': 1000, 'μm': 1000, um: 1000, mm: 1e6, cm: 1e7, m: 1e9, 'Å': 0.1 };

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  removeNSPrefix: true,
  isArray: (name) => name === 'Image' || name === 'TiffData',
});

/** An attribute as a whole number ≥ 0, or the fallback. */
function count(value: unknown, fallback: number): number {
  const v = Number(value);
  return Number.isInteger(v) && v >= 0 ? v : fallback;
}

/**
 * Parse an OME-XML ImageDescription: the file's UUID, a binary-only file's pointer to its
 * metadata file, the pixel size, and the planes of the first image with their files and IFDs
 * (TiffData: FirstC/FirstZ/FirstT, IFD, PlaneCount, UUID with FileName; absent attributes take
 * the specification's defaults).
 * @param xml - the description
 * @returns the description, or undefined when the text is not OME-XML
 */
export function parseOme(xml: string): OmeDescription | undefined {
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(xml) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const ome = doc.OME as Record<string, unknown> | undefined;
  if (!ome || typeof ome !== 'object') return undefined;
  const uuid = typeof ome.UUID === 'string' ? ome.UUID : undefined;
  const bo = ome.BinaryOnly as Record<string, unknown> | undefined;
  const binaryOnly = bo && typeof bo.MetadataFile === 'string' ? { metadataFile: bo.MetadataFile, uuid: typeof bo.UUID === 'string' ? bo.UUID : undefined } : undefined;
  const image = (ome.Image as Record<string, unknown>[] | undefined)?.[0];
  const pixels = image?.Pixels as Record<string, unknown> | undefined;
  if (!pixels) return { uuid, binaryOnly, pixelSizeNm: undefined, planes: [], planeCount: 0, sizes: { C: 1, Z: 1, T: 1 }, order: 'CZT' };
  const size = { C: count(pixels.SizeC, 1) || 1, Z: count(pixels.SizeZ, 1) || 1, T: count(pixels.SizeT, 1) || 1 };
  const planeCount = size.C * size.Z * size.T;
  // The order after XY, fastest first (XYCZT: C varies fastest).
  const dimensionOrder = typeof pixels.DimensionOrder === 'string' && /^XY(CZT|CTZ|ZCT|ZTC|TCZ|TZC)$/.test(pixels.DimensionOrder) ? pixels.DimensionOrder : 'XYCZT';
  const order = dimensionOrder.slice(2).split('') as ('C' | 'Z' | 'T')[];
  const planeIndex = (c: number, z: number, t: number) => {
    const at = { C: c, Z: z, T: t };
    let index = 0;
    for (let k = order.length - 1; k >= 0; k--) index = index * size[order[k]] + at[order[k]];
    return index;
  };
  const physical = Number(pixels.PhysicalSizeX);
  const factor = NM_PER_UNIT[typeof pixels.PhysicalSizeXUnit === 'string' ? pixels.PhysicalSizeXUnit : 'µm'];
  const pixelSizeNm = Number.isFinite(physical) && physical > 0 && factor !== undefined ? physical * factor : undefined;
  const planes: OmePlane[] = [];
  for (const td of (pixels.TiffData as Record<string, unknown>[] | undefined) ?? []) {
    const first = planeIndex(count(td.FirstC, 0), count(td.FirstZ, 0), count(td.FirstT, 0));
    const ifd = count(td.IFD, 0);
    // The specification's defaults: with IFD and no PlaneCount, one plane; with neither, all.
    const planesHere = count(td.PlaneCount, td.IFD === undefined ? planeCount - first : 1);
    const u = td.UUID as Record<string, unknown> | string | undefined;
    const file = typeof u === 'object' && typeof u.FileName === 'string' ? u.FileName : undefined;
    const fileUuid = typeof u === 'string' ? u : typeof u === 'object' && typeof u['#text'] === 'string' ? u['#text'] : undefined;
    for (let p = 0; p < planesHere && first + p < planeCount; p++) planes.push({ index: first + p, file, uuid: fileUuid, ifd: ifd + p });
  }
  planes.sort((a, b) => a.index - b.index);
  return { uuid, binaryOnly, pixelSizeNm, planes, planeCount, sizes: size, order: order.join('') };
}
