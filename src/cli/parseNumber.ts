import { UsageError } from './UsageError.js';

/** Limits for {@link parseNumber}. */
export interface NumberLimits {
  integer?: boolean;
  min?: number;
  max?: number;
}

/** A decimal number as people write it: 12, -0.5, .5, 1e-3; never hex (0x10), octal or binary, which Number() reads. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/**
 * Parse a decimal command-line value, or throw a {@link UsageError} naming the option.
 * @param text - the option's text
 * @param option - the option's name, e.g. `--box`
 * @param limits - integer / inclusive range checks
 */
export function parseNumber(text: string | undefined, option: string, limits: NumberLimits = {}): number {
  const value = Number(text);
  if (text === undefined || !DECIMAL.test(text.trim()) || !Number.isFinite(value)) {
    throw new UsageError(`${option} needs a decimal number, got '${text ?? ''}'`);
  }
  if (limits.integer && !Number.isInteger(value)) throw new UsageError(`${option} needs a whole number, got ${text}`);
  if (limits.min !== undefined && value < limits.min) throw new UsageError(`${option} must be at least ${limits.min}, got ${text}`);
  if (limits.max !== undefined && value > limits.max) throw new UsageError(`${option} must be at most ${limits.max}, got ${text}`);
  return value;
}
