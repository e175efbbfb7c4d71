import { crowdedWindow } from './crowdedWindow.js';
import type { EmitterSelection } from './EmitterSelection.js';
import { EmitterSelector } from './EmitterSelector.js';
import type { ResolvedMultiEmitterOptions } from './EmitterSelector.js';
import type { ResolvedFitOptions } from './FitOptions.js';
import { FitWorkspace } from './FitWorkspace.js';
import { WasmEmitterSelector } from './WasmEmitterSelector.js';
import { AstigmaticFit } from './AstigmaticFit.js';
import type { AstigmaticFitter } from './AstigmaticFitter.js';
import { WasmAstigmaticFit } from './WasmAstigmaticFit.js';
import { SplineFit } from './SplineFit.js';
import { WasmSplineFit } from './WasmSplineFit.js';
import type { SplinePsf } from './spline/SplinePsf.js';
import { DepthEmitterSelector } from './DepthEmitterSelector.js';
import { createDepthEmitterFits } from './createDepthEmitterFits.js';
import { AstigmaticModel } from './models/AstigmaticModel.js';
import type { AstigmatismCurves } from './models/AstigmaticModel.js';
import { SplineModel } from './models/SplineModel.js';
import type { DepthEmitterFits, EmitterDepths } from './DepthEmitterFits.js';
import type { PsfModel } from './PsfModel.js';

/** The fits of one run, each from the engine its options name ('wasm': the fit kernel, 'js': the JavaScript reference). */
export interface FitEngines {
  /** The single-emitter fit of every patch (its kernel, `workspace.kernel`, where the engine and solver allow it). */
  readonly workspace: FitWorkspace;
  /** The multi-emitter model selection of crowded windows; undefined when multi-emitter fitting is off. */
  readonly selector: EmitterSelection | undefined;
  /** The 3-D fit of a run with an astigmatic or a spline calibration; undefined in 2-D. */
  readonly astigmatic: AstigmaticFitter | undefined;
  /** A 3-D run's K-emitter fit, the one {@link selector} drives (for the emitters' widths and the single fits' χ²); undefined in 2-D or with multi-emitter fitting off. */
  readonly depthFits: EmitterDepths | undefined;
  /**
   * The 3-D refits' model of the run (astigmatic curves or spline) for a box of the fit's width,
   * which renders a neighbour's fitted light (DepthRefits); undefined unless the run refits (3-D,
   * multi-emitter fitting on, `depthRefits` given).
   */
  readonly depthModel?: PsfModel;
  /**
   * The refits' two-emitter fit in a box of the fit's width (DepthRefits' split of bright rows);
   * undefined unless the run refits, K = 2 is allowed and the calibration's model follows the
   * beads (as the crowded windows' split: through curves that do not, one spot's misfit reads as
   * a pair).
   */
  readonly pairFits?: DepthEmitterFits<SplineModel> | DepthEmitterFits<AstigmaticModel>;
}

/**
 * The one place a run's fit engines are made: `fit.engine` chooses, for every model at once,
 * the fit kernel (WebAssembly) or the JavaScript reference; both give the same fits to rounding.
 * (The single 2-D fit's kernel is held by its FitWorkspace, made here: it follows the same `fit.engine`.)
 *
 * @param fit - the resolved fit options (box, engine, solver)
 * @param multiEmitter - the resolved multi-emitter options (off, or at most 1 emitter: no selector)
 * @param astigmatism - the astigmatic calibration, if the run has one
 * @param spline - the spline PSF, the camera's pixel size (nm) and whether every z start is fitted, if the run has one (instead of `astigmatism`)
 * @param depthRefits - a 3-D run's rows are refitted with their neighbours held (DepthRefits), and
 *   whether the calibration's model follows the beads (only then may a bright row be split);
 *   without it, or in 2-D, or with multi-emitter fitting off, no refits' engines are made (each
 *   holds a kernel and, for a spline, a copy of its coefficients) @default none
 */
export function createFitEngines(
  fit: ResolvedFitOptions,
  multiEmitter: ResolvedMultiEmitterOptions,
  astigmatism: AstigmatismCurves | undefined,
  spline?: { readonly psf: SplinePsf; readonly pixelSizeNm: number; readonly everyZStart?: boolean },
  depthRefits?: { readonly modelFollowsPsf: boolean },
): FitEngines {
  const wasm = fit.engine === 'wasm';
  const window = crowdedWindow(fit.box);
  const crowded = multiEmitter.enabled && multiEmitter.maxEmitters >= 2;
  // 3-D: K emitters of the run's own model, each with its z; their fits in the kernel with
  // fit.engine 'wasm' (the selection, the residual and the z starts in JavaScript).
  const depthFits = crowded ? createDepthEmitterFits(window, fit.box, multiEmitter.maxEmitters, wasm, astigmatism, spline) : undefined;
  // The refits (DepthRefits): the model that renders a neighbour, and the pair fit of a split
  // (gated as the windows' split, CrowdingResolver: K = 2 allowed, the model follows the beads).
  const refits = depthRefits !== undefined && multiEmitter.enabled && (spline !== undefined || astigmatism !== undefined);
  const depthModel = !refits ? undefined : spline ? new SplineModel(fit.box, spline.psf) : new AstigmaticModel(fit.box, astigmatism as AstigmatismCurves);
  const pairFits = refits && depthRefits.modelFollowsPsf && multiEmitter.maxEmitters >= 2 ? createDepthEmitterFits(fit.box, fit.box, 2, wasm, astigmatism, spline) : undefined;
  return {
    // The workspace holds the kernel's batch fit when fit.engine is 'wasm' and the solver is Newton.
    workspace: new FitWorkspace(fit),
    selector: !crowded ? undefined : depthFits ? new DepthEmitterSelector(multiEmitter, depthFits, spline ? new SplineModel(window, spline.psf) : new AstigmaticModel(window, astigmatism as AstigmatismCurves)) : wasm ? new WasmEmitterSelector(window, multiEmitter) : new EmitterSelector(window, multiEmitter),
    depthFits,
    depthModel,
    pairFits,
    astigmatic: spline ? (wasm ? new WasmSplineFit(fit.box, spline.psf, spline.pixelSizeNm, spline.everyZStart) : new SplineFit(fit.box, spline.psf, spline.pixelSizeNm, spline.everyZStart)) : !astigmatism ? undefined : wasm ? new WasmAstigmaticFit(fit.box, astigmatism) : new AstigmaticFit(fit.box, astigmatism),
  };
}
