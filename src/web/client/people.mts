/**
 * People: the list, and a person's page with their faces. Rename, merge into another person,
 * and split off wrong faces (not this person, or move them to someone else).
 */
import { api, type Person, personPhotosOf } from './api.mjs';
import { button, chipImage, labelFaces, make, photoLink, plural } from './dom.mjs';
import type { Run } from './suggestions.mjs';

export async function renderPeople(root: HTMLElement, persons: readonly Person[]): Promise<void> {
  const rows = persons.map((p) => {
    const link = Object.assign(make('a', { textContent: p.name }), { href: `#/person/${p.id}` });
    const row = make(
      'tr',
      {},
      make('td', {}, link),
      make('td', { textContent: String(p.confirmed) }),
      make('td', { textContent: String(p.suggested) }),
    );
    row.dataset.person = p.name;
    return row;
  });
  const head = make(
    'tr',
    {},
    make('th', { textContent: 'Person' }),
    make('th', { textContent: 'Named' }),
    make('th', { textContent: 'Suggested' }),
  );
  root.replaceChildren(
    make('h2', { textContent: 'People' }),
    persons.length === 0
      ? make('p', { className: 'empty', textContent: 'Nobody is named yet. Name faces under Unknown faces.' })
      : make(
          'div',
          { className: 'table-wrap' },
          make('table', { className: 'people' }, make('thead', {}, head), make('tbody', {}, ...rows)),
        ),
  );
}

function photosOf(person: Person): HTMLAnchorElement {
  const a = make('a', { textContent: `All photos of ${person.name}` });
  a.href = `#/photos/person/${person.id}`;
  return a;
}

function form(label: string, input: HTMLElement, submit: string, onSubmit: () => void, id: string): HTMLFormElement {
  const f = make(
    'form',
    { className: 'inline-form' },
    make('label', { textContent: label }, input),
    make('button', { textContent: submit }),
  );
  f.id = id;
  f.addEventListener('submit', (e) => {
    e.preventDefault();
    onSubmit();
  });
  return f;
}

export async function renderPerson(
  root: HTMLElement,
  id: number,
  run: Run,
  everyone: readonly Person[],
): Promise<void> {
  const { photos } = personPhotosOf(await api(`/api/persons/${id}/photos?which=all&limit=500`));
  const person = everyone.find((p) => p.id === id);
  if (!person) {
    root.replaceChildren(make('p', { className: 'empty', textContent: 'No such person (merged or renamed away?).' }));
    return;
  }
  const others = everyone.filter((p) => p.id !== id);
  const selected = new Set<number>();

  const rename = make('input');
  rename.value = person.name;
  rename.id = 'rename-input';
  rename.autocomplete = 'off';
  const renameForm = form(
    'Name ',
    rename,
    'Rename',
    () => {
      const name = rename.value.trim();
      run(async () => {
        await api(`/api/persons/${id}/rename`, { name });
        return `Renamed ${person.name} to ${name}.`;
      });
    },
    'rename-form',
  );

  const target = make('select');
  target.id = 'merge-target';
  for (const p of others)
    target.append(Object.assign(make('option', { textContent: p.name }), { value: String(p.id) }));
  const mergeForm = form(
    'Merge into ',
    target,
    'Merge',
    () => {
      const into = Number(target.value);
      const name = others.find((p) => p.id === into)?.name ?? '';
      if (!into || !confirm(`Merge ${person.name} into ${name}? Every face of ${person.name} becomes ${name}.`)) return;
      run(async () => {
        await api(`/api/persons/${id}/merge`, { into });
        location.hash = `#/person/${into}`;
        return `Merged ${person.name} into ${name}.`;
      });
    },
    'merge-form',
  );
  if (others.length === 0) mergeForm.hidden = true;

  const count = make('span', { textContent: '0 selected' });
  const moveTo = make('input');
  moveTo.setAttribute('list', 'person-names');
  moveTo.placeholder = 'someone else';
  moveTo.id = 'move-to';
  const splitBar = make(
    'div',
    { className: 'split-bar' },
    count,
    button(
      `Not ${person.name}`,
      () => {
        const ids = [...selected];
        if (ids.length)
          run(
            async () =>
              `Split off ${plural(await labelFaces(ids, { action: 'reject', person: person.name }), 'face')} from ${person.name}.`,
          );
      },
      'split-off',
    ),
    moveTo,
    button(
      'Move',
      () => {
        const ids = [...selected];
        const name = moveTo.value.trim();
        if (ids.length && name)
          run(
            async () => `Moved ${plural(await labelFaces(ids, { action: 'name', person: name }), 'face')} to ${name}.`,
          );
      },
      'move',
    ),
  );

  const grid = make('div', { className: 'grid' });
  for (const photo of photos) {
    for (const f of photo.faces) {
      const b = make('button', { className: 'face', title: `face ${f.id} (${f.state})` }, chipImage(f.id));
      b.type = 'button';
      b.dataset.faceId = String(f.id);
      b.dataset.state = f.state;
      b.setAttribute('aria-pressed', 'false');
      b.addEventListener('click', () => {
        selected.has(f.id) ? selected.delete(f.id) : selected.add(f.id);
        b.setAttribute('aria-pressed', String(selected.has(f.id)));
        count.textContent = `${selected.size} selected`;
      });
      const link = photoLink(photo.id, f.id, f.state === 'confirmed' ? 'photo' : 'photo (suggested)');
      grid.append(make('div', { className: 'face-card' }, b, link));
    }
  }
  root.replaceChildren(
    make('h2', { textContent: person.name }),
    make('p', {
      className: 'hint',
      textContent: `${plural(person.confirmed, 'named face')}, ${plural(person.suggested, 'suggestion')}. Select wrong faces to split them off.`,
    }),
    make('div', { className: 'person-tools' }, renameForm, mergeForm, photosOf(person)),
    splitBar,
    grid,
  );
  root.dataset.person = person.name;
}
