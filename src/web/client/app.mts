/**
 * The labelling page's entry (browser, ES module, no framework): a hash router over its views.
 * Every change goes through the HTTP API, the path all clients use, so sidecars, plugins and
 * retraining follow. Compiled by src/web/tsconfig.json (DOM lib).
 */
import { api, groupsOf, type PageInfo, type Person, pageInfoOf, personsOf, suggestionsOf, token } from './api.mjs';
import { act, byId, failure, labelFaces, make, onTokenNeeded, plural, releaseImages, say } from './dom.mjs';
import { renderPeople, renderPerson } from './people.mjs';
import { leavePhoto, onPhotoKey, renderPhoto } from './photo.mjs';
import { type PhotoFilter, renderPhotos } from './photos.mjs';
import { renderSuggestions } from './suggestions.mjs';
import { askForToken } from './token-step.mjs';
import { renderTraining } from './training.mjs';
import { renderGroups, selected, updateSelection } from './unknown.mjs';

type Route =
  | { view: 'unknown' }
  | { view: 'suggestions' }
  | { view: 'people' }
  | { view: 'person'; id: number }
  | { view: 'photo'; id: number; face: number | null }
  | { view: 'photos'; filter: PhotoFilter }
  | { view: 'training' };

const ID = '([1-9][0-9]{0,14})';

function route(): Route {
  const h = location.hash;
  const photo = new RegExp(`^#/photo/${ID}(?:/face/${ID})?$`).exec(h);
  if (photo) return { view: 'photo', id: Number(photo[1]), face: photo[2] ? Number(photo[2]) : null };
  const person = new RegExp(`^#/person/${ID}$`).exec(h);
  if (person) return { view: 'person', id: Number(person[1]) };
  const photosOf = new RegExp(`^#/photos/person/${ID}$`).exec(h);
  if (photosOf) return { view: 'photos', filter: { kind: 'person', id: Number(photosOf[1]) } };
  if (h === '#/photos') return { view: 'photos', filter: { kind: 'all' } };
  if (h === '#/photos/faceless') return { view: 'photos', filter: { kind: 'faceless' } };
  if (h === '#/people') return { view: 'people' };
  if (h === '#/training') return { view: 'training' };
  // `#suggestions` and `#unknown` are the page's older addresses; they still work.
  if (h === '#/suggestions' || h === '#suggestions') return { view: 'suggestions' };
  return { view: 'unknown' };
}

const views = {
  label: byId('view-label', HTMLElement),
  other: byId('view-other', HTMLElement),
};
const main = document.querySelector('main');

/** The daemon's facts for the page: asked once per load. */
let info: PageInfo = { tokenFile: null, tokenCommands: [], sureFrom: 0.5 };
const loadInfo = async (): Promise<void> => {
  info = pageInfoOf(await api('/api/page-info'));
};

async function refreshNames(persons: Promise<readonly Person[]>): Promise<void> {
  const names = (await persons).map((p) => p.name);
  byId('person-names', HTMLDataListElement).replaceChildren(
    ...names.map((n) => Object.assign(make('option'), { value: n })),
  );
}

/** Draw the current view from fresh data. */
async function draw(): Promise<void> {
  const r = route();
  releaseImages();
  leavePhoto();
  const label = r.view === 'unknown' || r.view === 'suggestions';
  views.label.hidden = !label;
  views.other.hidden = label;
  byId('unknown', HTMLElement).hidden = r.view !== 'unknown';
  byId('actions', HTMLFormElement).hidden = r.view !== 'unknown';
  byId('suggestions', HTMLElement).hidden = r.view !== 'suggestions';
  const current = r.view === 'person' ? 'people' : r.view === 'photo' ? 'photos' : r.view;
  for (const a of document.querySelectorAll<HTMLAnchorElement>('nav a')) {
    a.toggleAttribute('aria-current', a.dataset.view === current);
  }
  // One request for the persons: the name list and the people views both use it.
  const persons = api('/api/persons').then(personsOf);
  const names = refreshNames(persons);
  switch (r.view) {
    case 'unknown':
      renderGroups(groupsOf(await api('/api/unknown-faces')), run);
      break;
    case 'suggestions':
      renderSuggestions(suggestionsOf(await api('/api/suggestions')), info.sureFrom, run);
      break;
    case 'people':
      await renderPeople(views.other, await persons);
      break;
    case 'person':
      await renderPerson(views.other, r.id, run, await persons);
      break;
    case 'photo':
      await renderPhoto(views.other, r.id, r.face, info.sureFrom, draw);
      break;
    case 'photos':
      await renderPhotos(views.other, r.filter, await persons);
      break;
    case 'training':
      await renderTraining(views.other, run, () => route().view === 'training');
      break;
  }
  await names;
}

function run(work: () => Promise<string>): void {
  void act(work, draw);
}

function drawn(): void {
  document.body.dataset.view = route().view;
  document.body.dataset.ready = 'true';
}

byId('actions', HTMLFormElement).addEventListener('submit', (e) => {
  e.preventDefault();
  const input = byId('name', HTMLInputElement);
  const person = input.value.trim();
  if (!person) {
    say('Type a name first.', true);
    input.focus();
    return;
  }
  const ids = [...selected];
  if (ids.length === 0) return;
  run(async () => {
    const n = await labelFaces(ids, { action: 'name', person });
    input.value = '';
    return `Named ${person}: ${plural(n, 'face')}.`;
  });
});
byId('ignore-button', HTMLButtonElement).addEventListener('click', () => {
  const ids = [...selected];
  if (ids.length) run(async () => `Ignored: ${plural(await labelFaces(ids, { action: 'ignore' }), 'face')}.`);
});
byId('not-face-button', HTMLButtonElement).addEventListener('click', () => {
  const ids = [...selected];
  if (ids.length)
    run(async () => `Marked not a face: ${plural(await labelFaces(ids, { action: 'not_a_face' }), 'face')}.`);
});
byId('deselect-button', HTMLButtonElement).addEventListener('click', () => {
  selected.clear();
  updateSelection();
});

// Keys: U undoes the last action anywhere; the photo view has its own (shown there).
document.addEventListener('keydown', (e) => {
  const t = e.target;
  const typing = t instanceof HTMLInputElement || t instanceof HTMLSelectElement || t instanceof HTMLTextAreaElement;
  if (typing || e.ctrlKey || e.metaKey || e.altKey || !main || main.hidden) return;
  if (e.key === 'u' || e.key === 'U') {
    document.querySelector<HTMLButtonElement>('#status button.undo')?.click();
    return;
  }
  if (route().view === 'photo') onPhotoKey(e);
});

window.addEventListener('hashchange', () => {
  if (main?.hidden) return;
  say('');
  void draw().catch(failure).finally(drawn);
});

const start = (): Promise<void> =>
  loadInfo()
    .catch(() => undefined)
    .then(draw);

/** The token step: shown up front on a first visit, and again when the saved token stops working. */
const tokenStep = (why: string | null, canCancel: boolean) =>
  askForToken(info, why, canCancel, (saved) => {
    if (main) main.hidden = false;
    if (saved) say('Token saved in this browser.');
    void start().catch(failure).finally(drawn);
  });
onTokenNeeded((why) => {
  if (main) main.hidden = true;
  tokenStep(why, false);
});
byId('token-button', HTMLButtonElement).addEventListener('click', () => {
  if (main) main.hidden = true;
  tokenStep(null, true);
});

if (token()) {
  byId('token-button', HTMLButtonElement).hidden = false;
  start().catch(failure).finally(drawn);
} else {
  if (main) main.hidden = true;
  // Where the token is: the daemon says so to loopback visitors; beyond, the page says it generally.
  void loadInfo()
    .catch(() => undefined)
    .then(() => {
      tokenStep(null, false);
      drawn();
    });
}
