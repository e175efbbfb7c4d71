/**
 * The defocus curve σ(z) moved to src/fit/models/DefocusCurve.ts (the astigmatic PSF model
 * needs it below astig/); this re-export keeps the existing imports working until they name
 * the new home.
 */
export * from '../fit/models/DefocusCurve.js';
