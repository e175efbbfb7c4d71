/**
 * The defocus curve σ(z) moved to src/fit/DefocusCurve.ts (the astigmatic PSF model needs it
 * below astig/); this re-export keeps the existing imports working until they name the new home.
 */
export * from '../fit/DefocusCurve.js';
