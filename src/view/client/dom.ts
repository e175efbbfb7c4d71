/** Attributes of {@link el}: properties set on the element, `testid` as data-testid, `class`. */
export interface ElementProps {
  readonly [key: string]: string | number | boolean | undefined | ((event: Event) => void);
}

/**
 * Makes an element: `el('button', { testid: 'run-button', onclick: run }, 'Run')`. Keys starting
 * with `on` become listeners, `testid` becomes `data-testid`, `class` the class name, `for` the
 * label's target; the others are set as attributes (booleans: present or absent).
 */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: ElementProps = {},
  ...children: (Node | string | null | undefined)[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(key.slice(2), value);
    else if (key === 'testid') element.dataset.testid = String(value);
    else if (key === 'class') element.className = String(value);
    else if (key === 'text') element.textContent = String(value);
    else element.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) if (child !== null && child !== undefined) element.append(child);
  return element;
}

/** The element with this data-testid inside `root`; throws naming it when the page lacks it. */
export function byTestId<T extends HTMLElement = HTMLElement>(root: ParentNode, testid: string): T {
  const found = root.querySelector<T>(`[data-testid="${testid}"]`);
  if (found === null) throw new Error(`the page has no element data-testid="${testid}"`);
  return found;
}

/** A count as the page shows it: digits with thousands separators (12,345). */
export function formatCount(count: number): string {
  // Not toLocaleString: its first call loads the locale data, ~100 ms on a busy machine.
  return String(Math.round(count)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
