import { compileExpression } from 'filtrex';
import { InvalidOptionError } from '../errors/InvalidOptionError.js';
import { columnName } from '../table/columnName.js';

/**
 * An expression that cannot be used: a syntax error or an unknown column, with the position
 * (0-based, in the expression as written) and a two-line picture of it (the expression, a caret
 * under the place), which the CLI prints under its one-line message.
 */
export class FilterExpressionError extends InvalidOptionError {
  /** The expression and a caret under the place, two lines. */
  readonly picture: string;

  /**
   * @param problem - what is wrong
   * @param expression - the expression as written
   * @param position - where, 0-based
   */
  constructor(problem: string, readonly expression: string, readonly position: number) {
    const where = position >= expression.length ? 'at the end of the filter' : `at character ${position + 1} of the filter`;
    super(`${problem} ${where} ${JSON.stringify(expression)}`, 'where');
    this.picture = `  ${expression}\n  ${' '.repeat(position)}^`;
  }
}

/**
 * The expression in filtrex's syntax, with a map from each of its characters back to the
 * character written: `&&` and `&` become `and`, `||` and `|` become `or`, `!` (not `!=`) becomes
 * `not`, a single `=` becomes `==` (ThunderSTORM's filter formulas use `&`, `|` and `=`).
 * Text in quotes is left as it is.
 */
function translate(expression: string): { text: string; from: number[] } {
  let text = '';
  const from: number[] = [];
  const put = (s: string, at: number) => {
    text += s;
    for (let k = 0; k < s.length; k++) from.push(at);
  };
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i];
    const next = expression[i + 1];
    if (c === '"' || c === "'") {
      const end = expression.indexOf(c, i + 1);
      const stop = end < 0 ? expression.length : end + 1;
      for (let k = i; k < stop; k++) put(expression[k], k);
      i = stop - 1;
    } else if ((c === '&' || c === '|') && next === c) {
      put(c === '&' ? ' and ' : ' or ', i);
      i++;
    } else if (c === '&' || c === '|') {
      put(c === '&' ? ' and ' : ' or ', i);
    } else if (c === '!' && next !== '=') {
      put(' not ', i);
    } else if (c === '=' && next !== '=' && !'<>!='.includes(expression[i - 1] ?? '')) {
      put('==', i);
    } else {
      put(c, i);
    }
  }
  return { text, from };
}

/** Words of filtrex's language that are not names of values. */
const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'mod', 'if', 'then', 'else', 'of']);

/**
 * The names of values an expression uses, with their positions: words (letters, digits, `_`,
 * `$`, `.`; not starting with a digit) that are not keywords nor followed by `(` (a function),
 * and `'quoted'` names; text in double quotes is a string, not a name.
 */
function symbols(expression: string): { name: string; at: number }[] {
  const found: { name: string; at: number }[] = [];
  const word = /"(?:[^"\\]|\\.)*"?|'((?:[^'\\]|\\.)*)'?|([A-Za-z_$][\w$.]*)(\s*\()?|\d[\d.]*(?:e[+-]?\d+)?/gi;
  for (let m = word.exec(expression); m !== null; m = word.exec(expression)) {
    if (m[1] !== undefined) found.push({ name: m[1], at: m.index });
    else if (m[2] !== undefined && m[3] === undefined && !KEYWORDS.has(m[2].toLowerCase())) found.push({ name: m[2], at: m.index });
  }
  return found;
}

/**
 * Compile a filter expression over a table's columns, by their names without units (`x`,
 * `uncertainty`, `intensity`, as ThunderSTORM's filter formulas name them), with filtrex (a
 * safe expression language: no access to anything but the values given; see its README for the
 * functions, e.g. `abs`, `sqrt`, `min`, `max`, `x in (1, 2)`). `and`/`or`/`not` and `&&`/`||`/
 * `!` (and ThunderSTORM's `&`, `|`, `=`) are all understood.
 *
 * @param expression - e.g. `uncertainty < 20 && intensity > 500`
 * @param header - the table's headers (`x [nm]`, …)
 * @returns a test of one row: `row(c)` gives column c's value (in the header's order)
 * @throws FilterExpressionError for a syntax error or a name that is not a column, pointing at it
 */
export function compileFilter(expression: string, header: readonly string[]): (row: (column: number) => number) => boolean {
  const names = header.map(columnName);
  const { text, from } = translate(expression);
  let compiled: (values: Record<string, number>) => unknown;
  try {
    compiled = compileExpression(text) as (values: Record<string, number>) => unknown;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // filtrex (jison) marks the place with a line of dashes and a caret under the text.
    const caret = /\n(-*)\^/.exec(message);
    const at = caret ? caret[1].length : 0;
    const position = at < from.length ? from[at] : expression.length;
    const expecting = /Expecting (.*), got '(\w+)'/.exec(message);
    const problem = expecting
      ? `syntax error: ${expecting[2] === 'EndOfExpression' ? 'incomplete expression' : `unexpected ${expecting[2].toLowerCase()}`}`
      : /Lexical error/.test(message)
        ? 'syntax error: unexpected character'
        : `syntax error (${message.split('\n')[0]})`;
    throw new FilterExpressionError(problem, expression, position);
  }
  // Every name used must be a column (filtrex itself finds an unknown one only when evaluating
  // it, which `&&` may skip).
  const known = new Set(names);
  for (const { name, at } of symbols(expression)) {
    if (!known.has(name)) throw new FilterExpressionError(`unknown column "${name}" (the columns are ${[...known].join(', ')})`, expression, at);
  }
  const values: Record<string, number> = {};
  const columnOf = names.map((n, c) => [n, c] as const).filter(([n], k) => names.indexOf(n) === k);
  return (row) => {
    for (const [n, c] of columnOf) values[n] = row(c);
    const result = compiled(values);
    if (result instanceof Error) throw new InvalidOptionError(`the filter ${JSON.stringify(expression)} cannot be evaluated: ${result.message}`, 'where');
    return result === true || (typeof result === 'number' && result !== 0);
  };
}
