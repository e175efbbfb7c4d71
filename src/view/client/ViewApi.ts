import {
  FRAME_HEADERS,
  LOCS_TOTAL_HEADER,
  ROUTES,
  TOKEN_HEADER,
  withToken,
} from '../protocol.js';
import type {
  CancelResult,
  DriftResult,
  MergeResult,
  ResolutionResult,
  ExportFormat,
  FileListing,
  FlagValues,
  PreviewResult,
  RunStarted,
  StackInfo,
  ViewState,
} from '../protocol.js';

/** The file extension of each export, for when the server names none. */
const EXPORT_EXTENSIONS: Readonly<Record<ExportFormat, string>> = { csv: 'csv', picasso: 'hdf5', 'picasso-yaml': 'yaml' };

/** A frame as /api/frame sends it: raw ADU, row-major. */
export interface FramePixels {
  readonly index: number;
  readonly width: number;
  readonly height: number;
  readonly pixels: Float32Array;
}

/** Localization records from /api/locs (LOC_RECORD_FIELDS each) and the server's total so far. */
export interface LocsChunk {
  readonly records: Float32Array;
  readonly total: number;
}

/** A refused or failed request: the server's message (`{ error }`) and the HTTP status. */
export class ViewApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'ViewApiError';
  }
}

/**
 * The page's one way to the server (src/view/protocol.ts): every request carries the session
 * token in its header; the EventSource and downloads carry it as a query parameter. Requests
 * take an AbortSignal so a newer frame or setting cancels the stale one.
 */
export class ViewApi {
  constructor(private readonly token: string) {}

  /** GET /api/state. */
  state(): Promise<ViewState> {
    return this.json<ViewState>(ROUTES.state);
  }

  /** GET /api/files?dir=REL. */
  files(dir: string): Promise<FileListing> {
    return this.json<FileListing>(`${ROUTES.files}?${new URLSearchParams({ dir })}`);
  }

  /** POST /api/open: opens a stack or a localization CSV under the root. */
  open(path: string): Promise<StackInfo> {
    return this.json<StackInfo>(ROUTES.open, { method: 'POST', body: { path } });
  }

  /** GET /api/frame?index=I (0-based). */
  async frame(index: number, signal?: AbortSignal): Promise<FramePixels> {
    const response = await this.request(`${ROUTES.frame}?index=${index}`, { signal });
    const width = Number(response.headers.get(FRAME_HEADERS.width));
    const height = Number(response.headers.get(FRAME_HEADERS.height));
    const pixels = new Float32Array(await response.arrayBuffer());
    if (!(width > 0 && height > 0 && pixels.length === width * height)) {
      throw new ViewApiError(`frame ${index}: ${pixels.length} values for ${width}×${height} px`, response.status);
    }
    return { index: Number(response.headers.get(FRAME_HEADERS.index) ?? index), width, height, pixels };
  }

  /**
   * POST /api/preview: the candidates and fits of one frame with these localize flags.
   * @param allowStale - answer with the last background choice rather than wait for a new one @default false
   */
  preview(frame: number, flags: FlagValues, signal?: AbortSignal, allowStale = false): Promise<PreviewResult> {
    return this.json<PreviewResult>(ROUTES.preview, { method: 'POST', body: { frame, flags, allowStale }, signal });
  }

  /** POST /api/run: localizes the opened stack with these flags. */
  run(flags: FlagValues): Promise<RunStarted> {
    return this.json<RunStarted>(ROUTES.run, { method: 'POST', body: { flags } });
  }

  /** POST /api/run/cancel. */
  cancel(): Promise<CancelResult> {
    return this.json<CancelResult>(ROUTES.cancel, { method: 'POST', body: {} });
  }

  /** GET /api/locs?from=K: the localizations from index K to the newest. */
  async locs(from: number, signal?: AbortSignal): Promise<LocsChunk> {
    const response = await this.request(`${ROUTES.locs}?from=${from}`, { signal });
    const records = new Float32Array(await response.arrayBuffer());
    return { records, total: Number(response.headers.get(LOCS_TOTAL_HEADER) ?? 0) };
  }

  /** GET /api/export as a file: its bytes and the name the server gives it. */
  async export(format: ExportFormat, filter: string): Promise<{ blob: Blob; fileName: string }> {
    const query = new URLSearchParams({ format });
    if (filter.trim() !== '') query.set('filter', filter);
    const response = await this.request(`${ROUTES.export}?${query}`);
    const disposition = response.headers.get('Content-Disposition') ?? '';
    const named = /filename="?([^";]+)"?/.exec(disposition);
    return { blob: await response.blob(), fileName: named?.[1] ?? `localizations.${EXPORT_EXTENSIONS[format]}` };
  }

  /** POST /api/drift: `smlm-stream drift` on the table shown, which becomes the corrected one. */
  drift(): Promise<DriftResult> {
    return this.json<DriftResult>(ROUTES.drift, { method: 'POST', body: {} });
  }

  /** POST /api/merge: `smlm-stream merge` on the table shown, which becomes the merged one. */
  merge(): Promise<MergeResult> {
    return this.json<MergeResult>(ROUTES.merge, { method: 'POST', body: {} });
  }

  /** POST /api/resolution: `smlm-stream resolution` (NeNA, FRC) on the table shown. */
  resolution(): Promise<ResolutionResult> {
    return this.json<ResolutionResult>(ROUTES.resolution, { method: 'POST', body: {} });
  }

  /** The Server-Sent Events of runs and of follow mode (the token as a query parameter). */
  events(): EventSource {
    return new EventSource(withToken(ROUTES.events, this.token));
  }

  private async json<T>(route: string, init: { method?: string; body?: unknown; signal?: AbortSignal | undefined } = {}): Promise<T> {
    const response = await this.request(route, init);
    return (await response.json()) as T;
  }

  /** A request with the token; an answer that is not 2xx throws {@link ViewApiError} with the server's message. */
  private async request(route: string, init: { method?: string; body?: unknown; signal?: AbortSignal | undefined } = {}): Promise<Response> {
    const headers: Record<string, string> = { [TOKEN_HEADER]: this.token };
    if (init.body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(route, {
      method: init.method ?? 'GET',
      headers,
      body: init.body === undefined ? null : JSON.stringify(init.body),
      signal: init.signal ?? null,
    });
    if (!response.ok) {
      const text = await response.text();
      let message = text;
      try {
        message = (JSON.parse(text) as { error?: string }).error ?? text;
      } catch {
        // not JSON: the text as it came
      }
      throw new ViewApiError(message || `${route}: HTTP ${response.status}`, response.status);
    }
    return response;
  }
}
