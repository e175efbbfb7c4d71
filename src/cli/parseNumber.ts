import { UsageError } from './UsageError.js';

/** Limits for {@link parseNumber}. */
export interface NumberLimits {
  integer?: boolean;
  min?: number;
  max?: number;
}

/**
 * Parse a numeric command-line value, or throw a {@link UsageError} naming the option.
 * @param text - the option's text
 * @param option - the option's name, e.g. `--box`
 * @param limits - integer / inclusive range checks
 */
export function parseNumber(text: string | undefined, option: string, limits: NumberLimits = {}): number {
  const value = Number(text);
  if (text === undefined || text.trim() === '' || !Number.isFinite(value)) {
    throw new UsageError(`${option} needs a number, got '${text ?? ''}'`);
  }
  if (limits.integer && !Number.isInteger(value)) throw new UsageError(`${option} needs a whole number, got ${text}`);
  if (limits.min !== undefined && value < limits.min) throw new UsageError(`${option} must be at least ${limits.min}, got ${text}`);
  if (limits.max !== undefined && value > limits.max) throw new UsageError(`${option} must be at most ${limits.max}, got ${text}`);
  return value;
}
