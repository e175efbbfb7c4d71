import type { FileEntry, StackInfo } from '../protocol.js';
import { el } from './dom.js';
import { messageOf } from './FramePanel.js';
import type { ViewApi } from './ViewApi.js';

/** The marks of each kind of entry in the list. */
const KIND_LABELS: Readonly<Record<FileEntry['kind'], string>> = {
  folder: '📁',
  stack: '🎞',
  series: '🎞',
  csv: '📄',
  other: '·',
};

/**
 * The files under the server's root (GET /api/files): folders open in the list, a stack, a
 * Micro-Manager series or a localization CSV opens in the page (POST /api/open). Nothing outside
 * the root is listed or opened: the server refuses it.
 */
export class FileBrowser {
  readonly element: HTMLElement;
  private readonly list = el('ul', { class: 'file-list', testid: 'file-list' });
  private readonly where = el('p', { class: 'file-dir', testid: 'file-dir' });
  private readonly message = el('p', { class: 'file-message', role: 'status' });

  constructor(
    private readonly api: ViewApi,
    private readonly onOpen: (info: StackInfo) => void,
  ) {
    this.element = el('details', { class: 'panel files-panel' }, el('summary', {}, 'Files'), this.where, this.list, this.message);
  }

  /** Shows the list open (nothing is opened yet) or folded (a stack is open). */
  setOpen(open: boolean): void {
    (this.element as HTMLDetailsElement).open = open;
  }

  /** Lists folder `dir` (relative to the root; '' the root). */
  async show(dir: string): Promise<void> {
    try {
      const listing = await this.api.files(dir);
      this.where.textContent = listing.dir === '' || listing.dir === '.' ? '/' : `/${listing.dir}`;
      const items: HTMLElement[] = [];
      if (listing.dir !== '' && listing.dir !== '.') {
        const parent = listing.dir.split('/').slice(0, -1).join('/');
        items.push(this.item('..', 'folder', () => void this.show(parent)));
      }
      for (const entry of listing.entries) {
        const action = entry.kind === 'folder' ? () => void this.show(entry.path) : entry.kind === 'other' ? undefined : () => void this.open(entry.path);
        items.push(this.item(entry.name, entry.kind, action));
      }
      this.list.replaceChildren(...items);
      this.message.textContent = listing.entries.length === 0 ? 'no stacks or tables here' : '';
    } catch (error) {
      this.message.textContent = messageOf(error);
    }
  }

  private item(name: string, kind: FileEntry['kind'], action: (() => void) | undefined): HTMLElement {
    const label = `${KIND_LABELS[kind]} ${name}`;
    const content = action === undefined ? el('span', { class: 'file-other' }, label) : el('button', { type: 'button', class: 'link', onclick: action, title: kind }, label);
    return el('li', { 'data-kind': kind }, content);
  }

  private async open(path: string): Promise<void> {
    this.message.textContent = `opening ${path}…`;
    try {
      const info = await this.api.open(path);
      this.message.textContent = '';
      this.onOpen(info);
    } catch (error) {
      this.message.textContent = messageOf(error);
    }
  }
}
