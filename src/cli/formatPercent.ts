/**
 * A share as a percentage for a person to read, never rounded to a whole 100 % or 0 % that is
 * not one: 9 977 of 10 000 is ">99.9 %" (not "100.0 %"), 1 of 10 000 is "<0.1 %"; exact shares
 * print as they are ("100.0 %", "0.0 %", "42.5 %").
 * @param part - the count (or share) of the whole
 * @param whole - the whole; "n/a" when it is not > 0 or either is not finite
 * @param decimals - digits after the point @default 1
 */
export function formatPercent(part: number, whole: number, decimals = 1): string {
  if (!(whole > 0) || !Number.isFinite(part) || !Number.isFinite(whole)) return 'n/a';
  const value = (100 * part) / whole;
  const text = value.toFixed(decimals);
  const step = 10 ** -decimals;
  if (Number(text) >= 100 && part < whole) return `>${(100 - step).toFixed(decimals)} %`;
  if (Number(text) <= 0 && part > 0) return `<${step.toFixed(decimals)} %`;
  return `${text} %`;
}
