/**
 * The labelling page's script (browser, ES module, no framework): unknown faces grouped by
 * likeness, to select and name or mark not a face; suggestions per person, to confirm or reject.
 * Every change goes through POST /api/faces/:id/label, the path all clients use, so sidecars,
 * plugins and retraining follow. Compiled by src/web/tsconfig.json (DOM lib).
 */

const TOKEN_KEY = 'facetag.token';

interface FaceRef {
  readonly id: number;
  readonly photoId: number;
}
interface Group {
  readonly faces: readonly FaceRef[];
}
interface Suggestion extends FaceRef {
  readonly decisionValue: number | null;
}
interface PersonSuggestions {
  readonly id: number;
  readonly name: string;
  readonly faces: readonly Suggestion[];
}
type LabelBody = { action: 'name' | 'confirm'; person: string } | { action: 'reject' } | { action: 'not_a_face' };

// --- answers, checked at the boundary: the page trusts no shape it did not check -----------

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isId = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) > 0;

function faceRef(v: unknown): FaceRef {
  if (!isRecord(v) || !isId(v.id) || !isId(v.photoId)) throw new Error('unexpected face in answer');
  return { id: v.id, photoId: v.photoId };
}
function arrayOf<T>(v: unknown, item: (x: unknown) => T): T[] {
  if (!Array.isArray(v)) throw new Error('unexpected answer: expected a list');
  return v.map(item);
}
const groupsOf = (v: unknown): Group[] =>
  isRecord(v) ? arrayOf(v.groups, (g) => ({ faces: arrayOf(isRecord(g) ? g.faces : null, faceRef) })) : [];
const suggestionsOf = (v: unknown): PersonSuggestions[] =>
  isRecord(v)
    ? arrayOf(v.persons, (p) => {
        if (!isRecord(p) || !isId(p.id) || typeof p.name !== 'string') throw new Error('unexpected person');
        const faces = arrayOf(p.faces, (f) => ({
          ...faceRef(f),
          decisionValue: isRecord(f) && typeof f.decisionValue === 'number' ? f.decisionValue : null,
        }));
        return { id: p.id, name: p.name, faces };
      })
    : [];
const namesOf = (v: unknown): string[] =>
  isRecord(v) ? arrayOf(v.persons, (p) => (isRecord(p) && typeof p.name === 'string' ? p.name : '')) : [];

// --- the API ----------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const token = (): string => localStorage.getItem(TOKEN_KEY) ?? '';
const authHeaders = (): Record<string, string> => (token() ? { authorization: `Bearer ${token()}` } : {});

async function api(path: string, body?: LabelBody): Promise<unknown> {
  const res = await fetch(path, {
    method: body ? 'POST' : 'GET',
    headers: body ? { ...authHeaders(), 'content-type': 'application/json' } : authHeaders(),
    body: body ? JSON.stringify(body) : null,
  });
  const json: unknown = res.headers.get('content-type')?.startsWith('application/json') ? await res.json() : null;
  if (!res.ok) {
    const why = isRecord(json) && typeof json.error === 'string' ? json.error : res.statusText;
    throw new ApiError(res.status, why);
  }
  return json;
}

// --- the page ---------------------------------------------------------------------------------

function byId<T extends HTMLElement>(id: string, type: new () => T): T {
  const el = document.getElementById(id);
  if (!(el instanceof type)) throw new Error(`page is missing #${id}`);
  return el;
}
const el = {
  status: byId('status', HTMLParagraphElement),
  groups: byId('groups', HTMLDivElement),
  persons: byId('persons', HTMLDivElement),
  names: byId('person-names', HTMLDataListElement),
  name: byId('name', HTMLInputElement),
  count: byId('selected-count', HTMLSpanElement),
  actions: byId('actions', HTMLFormElement),
  notFace: byId('not-face-button', HTMLButtonElement),
  deselect: byId('deselect-button', HTMLButtonElement),
  tokenForm: byId('token-form', HTMLFormElement),
  token: byId('token', HTMLInputElement),
};

const selected = new Set<number>();
let chipUrls: string[] = [];

function say(text: string, error = false): void {
  el.status.textContent = text;
  el.status.classList.toggle('error', error);
}

function failure(err: unknown): void {
  if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
    say(`${err.message}. Enter the token from the daemon's data folder (http-token) above.`, true);
  } else say(err instanceof Error ? err.message : String(err), true);
}

function make<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<Pick<HTMLElement, 'className' | 'textContent' | 'title'>> = {},
  ...children: Node[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  Object.assign(node, props);
  node.append(...children);
  return node;
}

/** Chips come through fetch so the token goes with them (an <img src> cannot send it). */
function chipImage(faceId: number): HTMLImageElement {
  const img = make('img');
  img.alt = `face ${faceId}`;
  img.loading = 'lazy';
  fetch(`/api/faces/${faceId}/chip`, { headers: authHeaders() })
    .then((r) => (r.ok ? r.blob() : Promise.reject(new Error(`chip ${faceId}: ${r.status}`))))
    .then((blob) => {
      const url = URL.createObjectURL(blob);
      chipUrls.push(url);
      img.src = url;
    })
    .catch(() => {
      img.alt = `face ${faceId} (no chip)`;
    });
  return img;
}

function updateSelection(): void {
  el.count.textContent = `${selected.size} selected`;
  for (const b of el.groups.querySelectorAll<HTMLButtonElement>('button.face')) {
    b.setAttribute('aria-pressed', String(selected.has(Number(b.dataset.faceId))));
  }
  const none = selected.size === 0;
  for (const b of el.actions.querySelectorAll('button')) b.disabled = none;
}

/** Groups of two or more, then every face alike to no other in one last section: a card per lone face wastes the screen. */
function sections(groups: readonly Group[]): { title: string; faces: readonly FaceRef[]; lone?: boolean }[] {
  const plural = (n: number) => `${n} face${n === 1 ? '' : 's'}`;
  const many = groups.filter((g) => g.faces.length > 1);
  const lone = groups.filter((g) => g.faces.length === 1).flatMap((g) => g.faces);
  const out = many.map((g, i) => ({
    title: `Group ${i + 1} · ${plural(g.faces.length)}`,
    faces: g.faces,
    lone: false,
  }));
  if (lone.length > 0) out.push({ title: `Not like the others · ${plural(lone.length)}`, faces: lone, lone: true });
  return out;
}

function renderGroups(groups: readonly Group[]): void {
  el.groups.replaceChildren();
  if (groups.length === 0) el.groups.append(make('p', { className: 'empty', textContent: 'No unknown faces.' }));
  sections(groups).forEach((group, i) => {
    const ids = group.faces.map((f) => f.id);
    const all = make('button', { textContent: 'Select all' });
    all.type = 'button';
    all.className = 'select-all';
    all.addEventListener('click', () => {
      const every = ids.every((id) => selected.has(id));
      for (const id of ids) every ? selected.delete(id) : selected.add(id);
      updateSelection();
    });
    const head = make('div', { className: 'group-head' }, make('h3', { textContent: group.title }), all);
    const grid = make('div', { className: 'grid' });
    for (const f of group.faces) {
      const b = make('button', { className: 'face', title: `face ${f.id}` }, chipImage(f.id));
      b.type = 'button';
      b.dataset.faceId = String(f.id);
      b.addEventListener('click', () => {
        selected.has(f.id) ? selected.delete(f.id) : selected.add(f.id);
        updateSelection();
      });
      grid.append(b);
    }
    const section = make('section', { className: 'group' }, head, grid);
    section.dataset.group = String(i);
    if (group.lone) section.dataset.lone = 'true';
    el.groups.append(section);
  });
  // Faces named elsewhere are no longer on the page: forget them.
  const shown = new Set(groups.flatMap((g) => g.faces.map((f) => f.id)));
  for (const id of selected) if (!shown.has(id)) selected.delete(id);
  updateSelection();
}

function renderSuggestions(persons: readonly PersonSuggestions[]): void {
  el.persons.replaceChildren();
  if (persons.length === 0) el.persons.append(make('p', { className: 'empty', textContent: 'No suggestions.' }));
  for (const p of persons) {
    const grid = make('div', { className: 'grid' });
    for (const f of p.faces) {
      const yes = make('button', { className: 'confirm', textContent: '✓', title: `It is ${p.name}` });
      const no = make('button', { className: 'reject', textContent: '✗', title: `Not ${p.name}` });
      yes.setAttribute('aria-label', `Face ${f.id} is ${p.name}`);
      no.setAttribute('aria-label', `Face ${f.id} is not ${p.name}`);
      yes.addEventListener(
        'click',
        () => void act([f.id], { action: 'confirm', person: p.name }, `Confirmed ${p.name}`),
      );
      no.addEventListener('click', () => void act([f.id], { action: 'reject' }, `Rejected ${p.name}`));
      for (const b of [yes, no]) b.type = 'button';
      const value = f.decisionValue === null ? '' : f.decisionValue.toFixed(2);
      const card = make(
        'div',
        { className: 'suggestion' },
        make('div', { className: 'chip' }, chipImage(f.id)),
        make('div', { className: 'value', textContent: value }),
        make('div', { className: 'buttons' }, yes, no),
      );
      card.dataset.faceId = String(f.id);
      grid.append(card);
    }
    const all = make('button', { className: 'confirm-all', textContent: `Confirm all ${p.faces.length}` });
    all.type = 'button';
    all.addEventListener(
      'click',
      () =>
        void act(
          p.faces.map((f) => f.id),
          { action: 'confirm', person: p.name },
          `Confirmed ${p.name}`,
        ),
    );
    const head = make('div', { className: 'group-head' }, make('h3', { textContent: p.name }), all);
    const section = make('section', { className: 'person' }, head, grid);
    section.dataset.person = p.name;
    el.persons.append(section);
  }
}

async function refresh(): Promise<void> {
  const [groups, suggestions, persons] = await Promise.all([
    api('/api/unknown-faces'),
    api('/api/suggestions'),
    api('/api/persons'),
  ]);
  for (const url of chipUrls) URL.revokeObjectURL(url);
  chipUrls = [];
  renderGroups(groupsOf(groups));
  renderSuggestions(suggestionsOf(suggestions));
  el.names.replaceChildren(...namesOf(persons).map((n) => Object.assign(make('option'), { value: n })));
}

let busy = false;
/** Label faces one by one (the API's one route); stop at the first failure and say why. */
async function act(ids: readonly number[], body: LabelBody, done: string): Promise<void> {
  if (busy || ids.length === 0) return;
  busy = true;
  document.body.setAttribute('aria-busy', 'true');
  let n = 0;
  try {
    for (const id of ids) {
      await api(`/api/faces/${id}/label`, body);
      n++;
    }
    say(`${done}: ${n} face${n === 1 ? '' : 's'}.`);
  } catch (err) {
    failure(err);
  } finally {
    await refresh().catch(failure);
    busy = false;
    document.body.removeAttribute('aria-busy');
    document.body.dataset.done = String(Number(document.body.dataset.done ?? 0) + 1);
  }
}

el.actions.addEventListener('submit', (e) => {
  e.preventDefault();
  const person = el.name.value.trim();
  if (!person) {
    say('Type a name first.', true);
    el.name.focus();
    return;
  }
  void act([...selected], { action: 'name', person }, `Named ${person}`).then(() => {
    el.name.value = '';
  });
});
el.notFace.addEventListener('click', () => void act([...selected], { action: 'not_a_face' }, 'Marked not a face'));
el.deselect.addEventListener('click', () => {
  selected.clear();
  updateSelection();
});
el.tokenForm.addEventListener('submit', (e) => {
  e.preventDefault();
  const value = el.token.value.trim();
  if (value) localStorage.setItem(TOKEN_KEY, value);
  else localStorage.removeItem(TOKEN_KEY);
  el.token.value = '';
  el.token.placeholder = value ? 'token saved' : 'contents of http-token';
  say(value ? 'Token saved in this browser.' : 'Token removed.');
  void refresh().catch(failure);
});

if (token()) el.token.placeholder = 'token saved';
refresh()
  .then(() => {
    document.body.dataset.ready = 'true';
  })
  .catch(failure);
