/**
 * The part of jStat (MIT, https://github.com/jstat/jstat) this project uses: the χ²
 * distribution. jStat is CommonJS: Node's ESM sees its exports as the default export.
 */
declare module 'jstat' {
  const jstat: {
    jStat: {
      chisquare: {
        /** P(X ≤ x) for X ~ χ²(dof). */
        cdf(x: number, dof: number): number;
        /** The x with P(X ≤ x) = p. */
        inv(p: number, dof: number): number;
      };
    };
  };
  export default jstat;
}
