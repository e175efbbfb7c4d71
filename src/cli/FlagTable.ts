import type { OptionTable } from './parseCommandArgs.js';
import { parseCommandArgs } from './parseCommandArgs.js';

/** One command-line flag: how it is parsed, documented, and which library option it sets. */
export interface Flag {
  /** Long name, without the dashes (`pixel-size`). */
  readonly name: string;
  /** One-letter alias (`o`). */
  readonly short?: string;
  /** The value's placeholder (`NM`); absent for a switch. */
  readonly value?: string;
  /** What it does, in a few words (units in the placeholder or here). */
  readonly help: string;
  /** The default in words, taken from the library's defaults (absent: none, or off). */
  readonly default?: string;
  /** The library option(s) it sets (`camera.pixelSizeNm`), to name the flag in option errors. */
  readonly option?: string | readonly string[];
  /** A flag with a value that may be given more than once (`--flat A.tif --flat B.tif`): read with `list`. */
  readonly multiple?: boolean;
}

/** Flags grouped under headings, as --help and the README show them. */
export type FlagSections = readonly (readonly [heading: string, flags: readonly Flag[]])[];

/**
 * A command's flags declared once: the parser's option table, the `--help` text, the flag of
 * each library option (for errors), and the README's table all come from it.
 */
export class FlagTable {
  readonly sections: FlagSections;

  /** @param sections - headings and their flags, in the order shown */
  constructor(sections: FlagSections) {
    this.sections = sections;
  }

  /** Every flag, in order. */
  get flags(): readonly Flag[] {
    return this.sections.flatMap(([, flags]) => flags);
  }

  /** parseArgs' option table: a string for each flag with a value, a boolean for each switch. */
  get options(): OptionTable {
    const table: OptionTable = {};
    for (const f of this.flags) table[f.name] = f.value ? { type: 'string', ...(f.multiple ? { multiple: true } : {}), ...(f.short ? { short: f.short } : {}) } : { type: 'boolean', default: false, ...(f.short ? { short: f.short } : {}) };
    return table;
  }

  /**
   * Parse a command's arguments (strict; negative numbers after a space allowed).
   * @returns the values by flag name, the positionals, `text(name)`: a flag's value, or
   *   undefined when it is not given (or is a switch), `on(name)`: whether a switch is given, and
   *   `list(name)`: every value of a flag given more than once (`multiple`), in order
   */
  parse(argv: readonly string[]) {
    const { values: parsed, positionals } = parseCommandArgs(argv, this.options);
    const values = parsed as Record<string, string | boolean | undefined>;
    const text = (name: string): string | undefined => {
      const value = values[name];
      return typeof value === 'string' ? value : undefined;
    };
    const on = (name: string): boolean => values[name] === true;
    const list = (name: string): string[] => {
      const value = (parsed as Record<string, unknown>)[name];
      return Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : [];
    };
    return { values, positionals, text, on, list };
  }

  /** The flag that sets each library option. */
  get optionFlags(): Readonly<Record<string, string>> {
    const map: Record<string, string> = {};
    for (const f of this.flags) for (const o of typeof f.option === 'string' ? [f.option] : (f.option ?? [])) map[o] = `--${f.name}`;
    return map;
  }

  /** The flags that take a value (`--calibration`, `-o`): a file after one of them is its value. */
  get valueFlags(): ReadonlySet<string> {
    const names = new Set<string>();
    for (const f of this.flags) {
      if (!f.value) continue;
      names.add(`--${f.name}`);
      if (f.short) names.add(`-${f.short}`);
    }
    return names;
  }

  /** The options part of --help: a heading per section, the flags' text wrapped at 96 columns. */
  help(): string {
    const lines: string[] = [];
    const indent = 27;
    for (const [heading, flags] of this.sections) {
      lines.push(`${heading}:`);
      for (const f of flags) {
        const name = `  ${f.short ? `-${f.short}, ` : '    '}--${f.name}${f.value ? ` ${f.value}` : ''}`;
        const words = `${f.help}${f.default !== undefined ? ` (default: ${f.default})` : ''}`.split(' ');
        let line = name.length < indent - 1 ? name.padEnd(indent) : `${name}\n${' '.repeat(indent)}`;
        let width = indent;
        for (const [k, word] of words.entries()) {
          if (k > 0 && width + 1 + word.length > 96) {
            line += `\n${' '.repeat(indent)}`;
            width = indent;
          } else if (k > 0) {
            line += ' ';
            width++;
          }
          line += word;
          width += word.length;
        }
        lines.push(line);
      }
    }
    return `${lines.join('\n')}\n`;
  }

  /** The flags as a Markdown table (the README's), `flag | what | default`. */
  markdown(): string {
    const rows = ['| flag | what | default |', '|---|---|---|'];
    for (const [heading, flags] of this.sections) {
      rows.push(`| **${heading}** | | |`);
      for (const f of flags) {
        const cells = [`\`${f.short ? `-${f.short}, ` : ''}--${f.name}${f.value ? ` ${f.value}` : ''}\``, f.help, f.default ?? '—'];
        // A `|` inside a cell (`--multi-emitter on|off`) would end the cell in a Markdown table.
        rows.push(`| ${cells.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`);
      }
    }
    return `${rows.join('\n')}\n`;
  }
}
