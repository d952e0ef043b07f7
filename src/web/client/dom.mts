/** Small DOM helpers the page's views share: elements, chips, the status line, busy actions. */
import { ApiError, api, imageUrl } from './api.mjs';

export function byId<T extends HTMLElement>(id: string, type: new () => T): T {
  const node = document.getElementById(id);
  if (!(node instanceof type)) throw new Error(`page is missing #${id}`);
  return node;
}

export function make<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<Pick<HTMLElement, 'className' | 'textContent' | 'title'>> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  Object.assign(node, props);
  node.append(...children);
  return node;
}

export function button(text: string, onClick: () => void, className = ''): HTMLButtonElement {
  const b = make('button', { textContent: text, className });
  b.type = 'button';
  b.addEventListener('click', onClick);
  return b;
}

const status = (): HTMLElement => byId('status', HTMLParagraphElement);

export function say(text: string, error = false): void {
  status().textContent = text;
  status().classList.toggle('error', error);
}

export function failure(err: unknown): void {
  if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
    say(`${err.message}. Enter the token from the daemon's data folder (http-token) above.`, true);
  } else say(err instanceof Error ? err.message : String(err), true);
}

export const plural = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;

/** blob: URLs of the current view, released when it is drawn again. */
let urls: string[] = [];
export function releaseImages(): void {
  for (const url of urls) URL.revokeObjectURL(url);
  urls = [];
}

/** An image fetched with the token (chips, photos). */
export function authImage(path: string, alt: string): HTMLImageElement {
  const img = make('img');
  img.alt = alt;
  img.loading = 'lazy';
  imageUrl(path)
    .then((url) => {
      urls.push(url);
      img.src = url;
    })
    .catch(() => {
      img.alt = `${alt} (not available)`;
    });
  return img;
}

export const chipImage = (faceId: number): HTMLImageElement => authImage(`/api/faces/${faceId}/chip`, `face ${faceId}`);

let busy = false;
/**
 * Run one user action: one at a time, its outcome said in the status line, then the view redrawn.
 * `body[data-done]` counts finished actions, so tests can wait for exactly one.
 */
export async function act(work: () => Promise<string>, redraw: () => Promise<void>): Promise<void> {
  if (busy) return;
  busy = true;
  document.body.setAttribute('aria-busy', 'true');
  undoable = undefined;
  try {
    say(await work());
    const id = undoable;
    if (id !== undefined)
      status().append(
        ' ',
        button('Undo', () => void act(() => undo(id), redraw), 'undo'),
      );
  } catch (err) {
    failure(err);
  } finally {
    await redraw().catch(failure);
    busy = false;
    document.body.removeAttribute('aria-busy');
    document.body.dataset.done = String(Number(document.body.dataset.done ?? 0) + 1);
  }
}

/** The bulk action the work of the current `act` made: its outcome line offers to undo it. */
let undoable: number | undefined;

/** Label faces in one request: all or none, and one undo for all of them. Returns how many. */
export async function labelFaces(ids: readonly number[], body: object): Promise<number> {
  const r = await api('/api/faces/label', { faces: [...ids], ...body });
  const count = (key: string): number => {
    const v = typeof r === 'object' && r !== null ? (r as Record<string, unknown>)[key] : undefined;
    if (typeof v !== 'number') throw new Error(`unexpected answer from /api/faces/label: no ${key}`);
    return v;
  };
  undoable = count('actionId');
  return count('labelled');
}

async function undo(actionId: number): Promise<string> {
  const r = await api(`/api/label-actions/${actionId}/undo`, {});
  const restored = typeof r === 'object' && r !== null ? (r as Record<string, unknown>).restored : undefined;
  return `Undone: ${plural(typeof restored === 'number' ? restored : 0, 'face')} as before.`;
}
