/** Longest text from a file (a CSV line, a header) that a message quotes, characters. */
const MAX_QUOTED = 200;

/**
 * Text made safe for a terminal: control characters (C0, DEL, C1: escape sequences, carriage
 * returns, bells) and the Unicode line separators and bidirectional overrides, which can make
 * a message say something else, each replaced by `?`. File names and lines from files reach
 * the user's terminal through this one function (the CLI passes every message and output line
 * through it).
 * @param text - a file name, a line from a file, a whole message
 * @param maxLength - characters kept, the rest shown as `…` @default 200
 */
export function printable(text: string, maxLength = MAX_QUOTED): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, '?');
  return clean.length > maxLength ? `${clean.slice(0, maxLength)}…` : clean;
}
