/**
 * An option with an impossible value, detected when options are resolved (at the entry point,
 * never in a hot loop). The message names the option, its unit and the value given; `option`
 * is the option's path in the library's options (e.g. `camera.pixelSizeNm`), so that the CLI
 * can name its own flag for it. The CLI reports it on one line as a user error.
 */
export class InvalidOptionError extends RangeError {
  override readonly name = 'InvalidOptionError';
  /** The option's path in the library's options, when one option is at fault. */
  readonly option: string | undefined;

  /**
   * @param message - what is wrong, naming the value
   * @param option - the option's path, e.g. `psfSigmaNm` or `camera.emGain`
   */
  constructor(message: string, option?: string) {
    super(message);
    this.option = option;
  }
}
