import type { NamedPath } from '../../export/checkOutputPaths.js';
import type { FrameSourceOptions } from '../../io/framesFromTiff.js';
import type { LocalizeOptions } from '../../pipeline/LocalizeOptions.js';
import type { FlagValues } from '../protocol.js';

/** localize's flags, parsed by localize's own parser: what a preview and a run take. */
export interface ParsedLocalize {
  readonly options: LocalizeOptions;
  readonly frames: FrameSourceOptions;
  readonly includeAllFits: boolean;
  readonly workers: number | undefined;
  /** The files besides the stack that the run reads (calibration, camera maps): no output may replace them. */
  readonly inputs: readonly NamedPath[];
}

/**
 * What the server needs of `localize`'s command line (given by src/cli/viewCommand.ts, so that
 * the server and `localize` share one flag table and one parser).
 */
export interface LocalizeFlags {
  /**
   * Parse flags (name without dashes → value; '' or 'true' for a switch) with localize's parser.
   * @throws HttpError 400 with the message `localize` gives for the same flags
   */
  parse(flags: FlagValues): Promise<ParsedLocalize>;
  /** The CSV `localize STACK` writes without -o. */
  outputOf(stack: string): string;
  /** An error in the words the CLI uses for it (flags, not option paths). */
  describe(error: unknown): string;
  /** localize's default of each flag that has one (its help's text). */
  readonly defaults: Readonly<Record<string, string>>;
  /** The flags whose value is a file (a page that gives one gives a path under the root). */
  readonly fileFlags: ReadonlySet<string>;
  /**
   * The flags that change neither the camera nor detection nor the background (the fit, crowded
   * spots, the workers, all-fits): a change of one keeps the background's choice of a preview.
   */
  readonly fitOnlyFlags: ReadonlySet<string>;
}
