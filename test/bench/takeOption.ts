/**
 * Take a flag and its value out of a bench's arguments (so that what is left are its
 * positional ones), or give the fallback when the flag is not there.
 * @param args - the arguments, changed in place
 * @param name - the flag, e.g. "--optics"
 * @param fallback - the value without the flag
 */
export function takeOption(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
}
