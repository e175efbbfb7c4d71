/**
 * An option with an impossible value, detected when options are resolved (at the entry point,
 * never in a hot loop). The message names the option, its unit and the value given. The CLI
 * reports it on one line as a user error.
 */
export class InvalidOptionError extends RangeError {
  override readonly name = 'InvalidOptionError';
}
