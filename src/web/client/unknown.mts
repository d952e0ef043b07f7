/**
 * Unknown faces, grouped by likeness, biggest group first: select many (a whole group at once),
 * then name them or mark them not a face from the action bar.
 */
import type { FaceRef } from './api.mjs';
import { byId, chipImage, make, plural } from './dom.mjs';

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

/** Groups of two or more, then every face alike to no other in one last section: a card per lone face wastes the screen. */
function sections(
  groups: readonly (readonly FaceRef[])[],
): { title: string; faces: readonly FaceRef[]; lone: boolean }[] {
  const many = groups.filter((g) => g.length > 1);
  const lone = groups.filter((g) => g.length === 1).flat();
  const out = many.map((faces, i) => ({
    title: `Group ${i + 1} · ${plural(faces.length, 'face')}`,
    faces,
    lone: false,
  }));
  if (lone.length > 0)
    out.push({ title: `Not like the others · ${plural(lone.length, 'face')}`, faces: lone, lone: true });
  return out;
}

function toggle(ids: readonly number[]): void {
  const every = ids.every((id) => selected.has(id));
  for (const id of ids) every ? selected.delete(id) : selected.add(id);
  updateSelection();
}

export function renderGroups(groups: readonly (readonly FaceRef[])[]): void {
  const root = groupsEl();
  root.replaceChildren();
  if (groups.length === 0) root.append(make('p', { className: 'empty', textContent: 'No unknown faces.' }));
  sections(groups).forEach((group, i) => {
    const ids = group.faces.map((f) => f.id);
    const all = make('button', { textContent: 'Select all', className: 'select-all' });
    all.type = 'button';
    all.addEventListener('click', () => toggle(ids));
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
    const section = make('section', { className: 'group' }, head, grid);
    section.dataset.group = String(i);
    if (group.lone) section.dataset.lone = 'true';
    root.append(section);
  });
  // Faces named elsewhere are no longer on the page: forget them.
  const shown = new Set(groups.flat().map((f) => f.id));
  for (const id of selected) if (!shown.has(id)) selected.delete(id);
  updateSelection();
}
