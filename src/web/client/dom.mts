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

/** Set by the entry: show the token step again (the saved token is missing or no longer right). */
let askToken: (why: string) => void = () => undefined;
export function onTokenNeeded(ask: (why: string) => void): void {
  askToken = ask;
}

export function failure(err: unknown): void {
  if (err instanceof ApiError && err.status === 401) {
    askToken('facetag did not accept the saved token: it may have changed. Paste the current one.');
  } else if (err instanceof ApiError && err.status === 403) {
    say(`facetag refused this: ${err.message}.`, true);
  } else say(err instanceof Error ? err.message : String(err), true);
}

export const plural = (n: number, what: string, many = `${what}s`): string => `${n} ${n === 1 ? what : many}`;

/** blob: URLs of the current view, released when it is drawn again. */
let urls: string[] = [];
export function releaseImages(): void {
  for (const url of urls) URL.revokeObjectURL(url);
  urls = [];
}

function load(img: HTMLImageElement, path: string, alt: string): void {
  imageUrl(path)
    .then((url) => {
      urls.push(url);
      img.src = url;
    })
    .catch(() => {
      img.alt = `${alt} (not available)`;
    });
}

/** An image fetched with the token at once (the photo of the photo view). */
export function authImage(path: string, alt: string): HTMLImageElement {
  const img = make('img');
  img.alt = alt;
  load(img, path, alt);
  return img;
}

/**
 * Images fetched only when they come near the screen: a view of 500 faces or 200 photos asks
 * for the few dozen a person can see, so the first view is quick on a large library.
 */
const nearScreen = new IntersectionObserver(
  (entries) => {
    for (const e of entries) {
      if (!e.isIntersecting || !(e.target instanceof HTMLImageElement)) continue;
      nearScreen.unobserve(e.target);
      const { src, alt } = e.target.dataset;
      if (src) load(e.target, src, alt ?? '');
    }
  },
  { rootMargin: '400px' },
);

export function lazyImage(path: string, alt: string): HTMLImageElement {
  const img = make('img');
  img.alt = alt;
  img.dataset.src = path;
  img.dataset.alt = alt;
  nearScreen.observe(img);
  return img;
}

/**
 * A name box offering the known names, with its button: Enter or the button calls `onName` with
 * the trimmed name; an empty box is refocused instead.
 */
export function nameForm(
  options: { readonly placeholder: string; readonly label: string; readonly button: string },
  onName: (person: string) => void,
): { form: HTMLFormElement; input: HTMLInputElement } {
  const input = make('input');
  input.setAttribute('list', 'person-names');
  input.autocomplete = 'off';
  input.placeholder = options.placeholder;
  input.setAttribute('aria-label', options.label);
  const submit = make('button', { textContent: options.button });
  submit.type = 'submit';
  const form = make('form', {}, input, submit);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const person = input.value.trim();
    if (person) onName(person);
    else input.focus();
  });
  return { form, input };
}

/** A face's picture (in colour where stored so). */
export const chipImage = (faceId: number): HTMLImageElement => lazyImage(`/api/faces/${faceId}/chip`, `face ${faceId}`);

/** The link from a face to its photo, with the face highlighted there. */
export function photoLink(photoId: number, faceId: number, text = 'photo'): HTMLAnchorElement {
  const a = make('a', { className: 'in-photo', textContent: text, title: `the photo of face ${faceId}` });
  a.href = `#/photo/${photoId}/face/${faceId}`;
  return a;
}

/** How sure facetag is of an auto name, in words; the number stays in the tooltip. */
export function sureLabel(value: number | null, sureFrom: number): HTMLElement {
  const sure = value !== null && value >= sureFrom;
  const el = make('div', { className: sure ? 'sure' : 'sure not', textContent: sure ? 'sure' : 'not sure' });
  if (value !== null) el.title = `score ${value.toFixed(2)} (sure from ${sureFrom})`;
  return el;
}

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
