/**
 * The page of `smlm-stream view`: the camera frame with the candidates and fits of the shown
 * settings on the left, the super-resolution image forming on the right, the files, settings and
 * run controls in the side panel. Reads the token from the page's address and sends it on every
 * request (src/view/protocol.ts has the routes and the contract).
 */
import { TOKEN_QUERY, VIEW_EVENTS } from '../protocol.js';
import type { FramesEvent, NoteEvent, StackInfo, ViewState } from '../protocol.js';
import { el } from './dom.js';
import { FileBrowser } from './FileBrowser.js';
import { FramePanel, messageOf } from './FramePanel.js';
import { ReconstructionPanel } from './ReconstructionPanel.js';
import { RunPanel } from './RunPanel.js';
import { SettingsPanel } from './SettingsPanel.js';
import { TableStepsPanel } from './TableStepsPanel.js';
import { TIMING_NAMES } from './timingNames.js';
import { ViewApi } from './ViewApi.js';

/** The session token of the page's address (`?token=…`). */
const token = new URLSearchParams(location.search).get(TOKEN_QUERY) ?? '';

/** The page's parts, made once the server's state is known. */
async function start(): Promise<void> {
  const api = new ViewApi(token);
  const side = document.querySelector('.side') as HTMLElement;
  const frameArea = document.querySelector('.frame-area') as HTMLElement;
  const reconstructionArea = document.querySelector('.reconstruction-area') as HTMLElement;
  const stackInfo = document.querySelector('[data-testid="stack-info"]') as HTMLElement;
  if (token === '') {
    side.append(el('p', { class: 'error' }, 'No token in the address: open the URL smlm-stream view printed.'));
    return;
  }
  const state: ViewState = await api.state();
  performance.mark(TIMING_NAMES.state);
  const settings = new SettingsPanel(state.flags, state.defaults, () => frames.settingsChanged());
  const frames: FramePanel = new FramePanel({
    api,
    flags: () => settings.flags(),
    onPreview: (result) => {
      settings.showMessage(result.warnings.join('\n'), result.warnings.length > 0 ? 'warning' : 'none');
      settings.showEstimated(latestEstimate, result.camera);
      if (latestEstimate === null) void refreshEstimate();
    },
    onPreviewError: (message) => settings.showMessage(message, 'error'),
  });
  const reconstruction = new ReconstructionPanel(api);
  const run = new RunPanel(api, () => settings.flags(), reconstruction);
  const files = new FileBrowser(api, (info) => void open(info));
  let latestEstimate = state.estimated;

  /** GET /api/state again for the estimates, which the server makes once a stack is open. */
  async function refreshEstimate(): Promise<void> {
    try {
      latestEstimate = (await api.state()).estimated;
      settings.showEstimated(latestEstimate);
    } catch (error) {
      settings.showMessage(messageOf(error), 'error');
    }
  }

  /** Shows what was opened: the first frame first, then the rest (the reconstruction, the table's localizations). */
  async function open(info: StackInfo): Promise<void> {
    stackInfo.textContent =
      info.kind === 'stack'
        ? `${info.path} · ${info.width}×${info.height} px × ${info.frames} frames · ${info.pixelSizeNm} nm/px`
        : `${info.path} · localization table`;
    files.setOpen(false);
    frames.open(info);
    await frames.firstFrameDrawn();
    reconstruction.open(info);
    run.opened(info.kind);
  }

  side.append(
    files.element,
    el('section', { class: 'panel settings-panel', 'aria-label': 'settings' }, el('h2', {}, 'Settings'), settings.element),
    run.element,
  );
  frameArea.append(frames.element);
  reconstructionArea.append(reconstruction.element, new TableStepsPanel(api, reconstruction).element);
  settings.showEstimated(state.estimated);

  if (state.opened !== null) await open(state.opened);
  else files.setOpen(true);

  const events = api.events();
  for (const name of [VIEW_EVENTS.progress, VIEW_EVENTS.done, VIEW_EVENTS.cancelled, VIEW_EVENTS.error]) {
    events.addEventListener(name, (event) => {
      // The EventSource's own connection errors come as plain events without data.
      if (event instanceof MessageEvent && typeof event.data === 'string') run.event(name, JSON.parse(event.data));
    });
  }
  for (const kind of [VIEW_EVENTS.warning, VIEW_EVENTS.notice]) {
    events.addEventListener(kind, (event) => run.note(kind, JSON.parse((event as MessageEvent<string>).data) as NoteEvent));
  }
  events.addEventListener(VIEW_EVENTS.frames, (event) => frames.setFrameCount((JSON.parse((event as MessageEvent<string>).data) as FramesEvent).frames));
  run.resume(state.run);
  void files.show('');
}

start().catch((error: unknown) => {
  document.body.append(el('p', { class: 'error', testid: 'page-error' }, `The page could not start: ${messageOf(error)}`));
});
