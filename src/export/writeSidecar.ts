import { writeFileAtomically } from './writeFileAtomically.js';

/**
 * Write a JSON sidecar (pretty-printed) describing a run, atomically: a reader sees the old
 * record or the new one, never half of one.
 * @param path - the sidecar path (e.g. `locs.json` next to `locs.csv`)
 * @param content - software version, input, resolved parameters, counts, timing
 * @throws FileWriteError naming the file and the cause
 */
export function writeSidecar(path: string, content: Record<string, unknown>): void {
  writeFileAtomically(path, `${JSON.stringify(content, null, 2)}\n`);
}

/**
 * The sidecar path for an output file: the same name with `.json` in place of its extension.
 * @param outputPath - e.g. `run/locs.csv`
 */
export function sidecarPath(outputPath: string): string {
  const dot = outputPath.lastIndexOf('.');
  const slash = Math.max(outputPath.lastIndexOf('/'), outputPath.lastIndexOf('\\'));
  return `${dot > slash ? outputPath.slice(0, dot) : outputPath}.json`;
}
