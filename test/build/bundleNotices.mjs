// Write the licence notices of the packages a bundle holds: esbuild copies the code of the
// node_modules packages it bundles into one file, and their licences (MIT and the like) ask that
// their notices travel with every copy. From the build's metafile, each package with code in the
// bundle (its folder under the last node_modules/ of an input's path) gives its name, version and
// licence text (its LICENSE, LICENCE or COPYING file, or the package.json licence field when it
// has no such file), written to `<bundle>.LICENSE.txt` beside the bundle. Used by
// bundleWorker.mjs and buildView.mjs (metafile: true, absWorkingDir: the repository root).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/** The path suffix of a bundle's notice file, beside the bundle. */
export const NOTICE_SUFFIX = '.LICENSE.txt';

/** A package's folder (relative to the root) from a metafile input path, or undefined when the input is not in node_modules. */
function packageFolder(input) {
  const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
  return match?.[1];
}

/**
 * Write `<outfile>.LICENSE.txt`: the name, version and licence text of every node_modules package
 * with code in the bundle (the metafile's output inputs of more than 0 bytes), sorted by name.
 * @param root - the repository root (esbuild's absWorkingDir: the metafile's paths are relative to it)
 * @param metafile - esbuild's metafile of the build
 * @param outfile - the bundle's path
 * @returns the bundled packages' names
 */
export function writeBundleNotices(root, metafile, outfile) {
  // The inputs with code in the output (a package imported but shaken out entirely, as fflate
  // from fast-png in the view, is not copied and needs no notice).
  const output = Object.values(metafile.outputs).find((o) => o.entryPoint !== undefined) ?? Object.values(metafile.outputs)[0];
  const used = Object.entries(output.inputs).filter(([, i]) => i.bytesInOutput > 0).map(([path]) => path);
  const folders = [...new Set(used.map(packageFolder).filter((f) => f !== undefined))];
  const packages = folders.map((folder) => {
    const dir = join(root, folder);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.[a-z]+)?$/i.test(f));
    // The SPDX `license` field, or the older `license: {type}` and `licenses: [{type}]` forms.
    const field = manifest.license ?? manifest.licenses;
    const licence = [field].flat().map((l) => (typeof l === 'string' ? l : l?.type)).filter(Boolean).join(' OR ') || 'no licence field';
    const text = file ? readFileSync(join(dir, file), 'utf8').trim() : `(no licence file in the package; its package.json names the licence ${licence})`;
    return { name: manifest.name, version: manifest.version, licence, text };
  });
  packages.sort((a, b) => a.name.localeCompare(b.name));
  const head = `${basename(outfile)} contains code of the following packages (from node_modules, bundled by esbuild).\nEach package's notice and licence follow.\n`;
  const body = packages.map((p) => `\n----------------------------------------------------------------\n${p.name} ${p.version} (${p.licence})\n\n${p.text}\n`).join('');
  writeFileSync(outfile + NOTICE_SUFFIX, head + body);
  return packages.map((p) => p.name);
}
