/**
 * The page script of the reconstruction's browser tests and frame-rate measurement: bundled by
 * esbuild (bundleReconstructionPage), it puts the reconstruction module on `window.smlm` so the
 * tests can drive it with page.evaluate.
 */
import { LOC_FIELD, LOC_RECORD_LENGTH } from '../../src/view/protocol.js';
import { drawHistogram } from '../../src/view/client/reconstruction/drawHistogram.js';
import { ReconstructionView } from '../../src/view/client/reconstruction/ReconstructionView.js';

(globalThis as unknown as { smlm: unknown }).smlm = { ReconstructionView, drawHistogram, LOC_FIELD, LOC_RECORD_LENGTH };
