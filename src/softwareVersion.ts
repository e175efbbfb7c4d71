import { readFileSync } from 'node:fs';

let cached: string | undefined;

/**
 * The package version from package.json (read once): the nearest package.json named
 * smlm-stream above this module, so it is found from the sources (src/) and from the build
 * (dist/src/) alike.
 */
export function softwareVersion(): string {
  if (cached !== undefined) return cached;
  for (let url = new URL('./package.json', import.meta.url); ; url = new URL('../package.json', url)) {
    try {
      const pkg = JSON.parse(readFileSync(url, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'smlm-stream' && typeof pkg.version === 'string') return (cached = pkg.version);
    } catch {
      // none here: look one folder up
    }
    if (new URL('../package.json', url).href === url.href) throw new Error('smlm-stream: its package.json was not found above the module');
  }
}
