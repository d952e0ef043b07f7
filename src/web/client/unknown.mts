/**
 * Unknown faces, grouped by the models' best guess ("Maybe Ann?") or by likeness, biggest group
 * first: select many (a whole group at once), then name them, ignore them (strangers) or mark
 * them not a face.
 */
import type { FaceGroup, FaceRef } from './api.mjs';
import { button, byId, chipImage, make, plural } from './dom.mjs';

export const selected = new Set<number>();

const groupsEl = () => byId('groups', HTMLDivElement);

export function updateSelection(): void {
  byId('selected-count', HTMLSpanElement).textContent = `${selected.size} selected`;
  for (const b of groupsEl().querySelectorAll<HTMLButtonElement>('button.face')) {
    b.setAttribute('aria-pressed', String(selected.has(Number(b.dataset.faceId))));
  }
  const none = selected.size === 0;
  for (const b of byId('actions', HTMLFormElement).querySelectorAll('button')) b.disabled = none;
}

interface Section {
  readonly title: string;
  readonly faces: readonly FaceRef[];
  readonly lone: boolean;
  readonly guess: string | null;
}

/**
 * Guess groups and likeness groups of two or more, then every face alike to no other in one last
 * section: a card per lone face wastes the screen.
 */
function sections(groups: readonly FaceGroup[]): Section[] {
  const many = groups.filter((g) => g.guess !== null || g.faces.length > 1);
  const lone = groups.filter((g) => g.guess === null && g.faces.length === 1).flatMap((g) => g.faces);
  let n = 0;
  const out: Section[] = many.map((g) => ({
    title: `${g.guess === null ? `Group ${++n}` : `Maybe ${g.guess}?`} · ${plural(g.faces.length, 'face')}`,
    faces: g.faces,
    lone: false,
    guess: g.guess,
  }));
  if (lone.length > 0) {
    out.push({ title: `Not like the others · ${plural(lone.length, 'face')}`, faces: lone, lone: true, guess: null });
  }
  return out;
}

function toggle(ids: readonly number[]): void {
  const every = ids.every((id) => selected.has(id));
  for (const id of ids) every ? selected.delete(id) : selected.add(id);
  updateSelection();
}

export function renderGroups(groups: readonly FaceGroup[]): void {
  const root = groupsEl();
  root.replaceChildren();
  if (groups.length === 0) root.append(make('p', { className: 'empty', textContent: 'No unknown faces.' }));
  sections(groups).forEach((group, i) => {
    const ids = group.faces.map((f) => f.id);
    const all = button('Select all', () => toggle(ids), 'select-all');
    const grid = make('div', { className: 'grid' });
    for (const f of group.faces) {
      const b = make('button', { className: 'face', title: `face ${f.id}: tap to select` }, chipImage(f.id));
      b.type = 'button';
      b.dataset.faceId = String(f.id);
      b.addEventListener('click', () => toggle([f.id]));
      // The photo the face is in, for context (or to draw a face the detector missed there).
      const photo = make('a', { className: 'in-photo', textContent: 'photo', title: `photo of face ${f.id}` });
      photo.href = `#/photo/${f.photoId}`;
      grid.append(make('div', { className: 'face-card' }, b, photo));
    }
    const head = make('div', { className: 'group-head' }, make('h3', { textContent: group.title }), all);
    const guess = group.guess;
    if (guess !== null) {
      // One tap to select the group and put the guessed name in the bar; deselect any mistake, then Name.
      const as = button(
        `Select all as ${guess}`,
        () => {
          for (const id of ids) selected.add(id);
          byId('name', HTMLInputElement).value = guess;
          updateSelection();
        },
        'select-as',
      );
      head.append(as);
    }
    const section = make('section', { className: 'group' }, head, grid);
    section.dataset.group = String(i);
    if (group.lone) section.dataset.lone = 'true';
    if (group.guess !== null) section.dataset.guess = group.guess;
    root.append(section);
  });
  // Faces named elsewhere are no longer on the page: forget them.
  const shown = new Set(groups.flatMap((g) => g.faces.map((f) => f.id)));
  for (const id of selected) if (!shown.has(id)) selected.delete(id);
  updateSelection();
}
