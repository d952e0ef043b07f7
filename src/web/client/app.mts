/**
 * The labelling page's entry (browser, ES module, no framework): a hash router over its views.
 * Every change goes through the HTTP API, the path all clients use, so sidecars, plugins and
 * retraining follow. Compiled by src/web/tsconfig.json (DOM lib).
 */
import { api, groupsOf, type Person, personsOf, saveToken, suggestionsOf, token } from './api.mjs';
import { act, byId, failure, labelFaces, make, plural, releaseImages, say } from './dom.mjs';
import { renderPeople, renderPerson } from './people.mjs';
import { renderPhoto } from './photo.mjs';
import { renderPhotos } from './photos.mjs';
import { renderSuggestions } from './suggestions.mjs';
import { renderTraining } from './training.mjs';
import { renderGroups, selected, updateSelection } from './unknown.mjs';

type Route =
  | { view: 'label' }
  | { view: 'people' }
  | { view: 'person'; id: number }
  | { view: 'photo'; id: number }
  | { view: 'photos'; faceless: boolean }
  | { view: 'training' };

function route(): Route {
  const h = location.hash;
  const m = /^#\/(person|photo)\/([1-9][0-9]{0,14})$/.exec(h);
  if (m) return { view: m[1] === 'person' ? 'person' : 'photo', id: Number(m[2]) };
  if (h === '#/people') return { view: 'people' };
  if (h === '#/training') return { view: 'training' };
  if (h === '#/photos' || h === '#/photos/faceless') return { view: 'photos', faceless: h.endsWith('faceless') };
  return { view: 'label' };
}

const views = {
  label: byId('view-label', HTMLElement),
  other: byId('view-other', HTMLElement),
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
  views.label.hidden = r.view !== 'label';
  views.other.hidden = r.view === 'label';
  for (const a of document.querySelectorAll<HTMLAnchorElement>('nav a')) {
    a.toggleAttribute('aria-current', a.dataset.view === r.view || (a.dataset.view === 'photos' && r.view === 'photo'));
  }
  // One request for the persons: the name list and the people views both use it.
  const persons = api('/api/persons').then(personsOf);
  const names = refreshNames(persons);
  switch (r.view) {
    case 'label': {
      const [groups, suggestions] = await Promise.all([api('/api/unknown-faces'), api('/api/suggestions')]);
      renderGroups(groupsOf(groups), run);
      renderSuggestions(suggestionsOf(suggestions), run);
      break;
    }
    case 'people':
      await renderPeople(views.other, await persons);
      break;
    case 'person':
      await renderPerson(views.other, r.id, run, await persons);
      break;
    case 'photo':
      await renderPhoto(views.other, r.id, run);
      break;
    case 'photos':
      await renderPhotos(views.other, r.faceless);
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
const tokenForm = byId('token-form', HTMLFormElement);
tokenForm.addEventListener('submit', (e) => {
  e.preventDefault();
  const input = byId('token', HTMLInputElement);
  const value = input.value.trim();
  saveToken(value);
  input.value = '';
  input.placeholder = value ? 'token saved' : 'contents of http-token';
  say(value ? 'Token saved in this browser.' : 'Token removed.');
  void draw().catch(failure);
});
window.addEventListener('hashchange', () => {
  // In-page anchors of the label view (#unknown, #suggestions) scroll; they need no redraw.
  if (route().view === 'label' && !views.label.hidden) return;
  say('');
  void draw()
    .catch(failure)
    .finally(() => {
      document.body.dataset.view = route().view;
    });
});

if (token()) byId('token', HTMLInputElement).placeholder = 'token saved';
draw()
  .then(() => {
    document.body.dataset.view = route().view;
    document.body.dataset.ready = 'true';
  })
  .catch(failure);
