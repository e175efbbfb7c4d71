/**
 * The page of `smlm-stream view` (viewui fills it): reads the token from the page's address and
 * sends it on every request (src/view/protocol.ts has the routes and the contract).
 */
import { TOKEN_QUERY } from '../protocol.js';

/** The session token of the page's address (`?token=…`). */
export const token = new URLSearchParams(location.search).get(TOKEN_QUERY) ?? '';

const status = document.querySelector<HTMLElement>('[data-testid="run-status"]');
if (status) status.textContent = token === '' ? 'no token in the address' : 'ready';
