/**
 * Unknown faces, biggest group first. Under the neural engine the groups are stored clusters (one
 * person each, as far as facetag can tell): name a whole cluster in one go, or take out a face
 * that does not belong; then the faces seen once, then the likely non-faces. Under the cascade,
 * groups are the models' best guesses ("Maybe Ann?") or likeness. Any selection can be named,
 * ignored (strangers) or marked not a face.
 */
import { api, type FaceGroup, type FaceRef } from './api.mjs';
import { button, byId, chipImage, labelFaces, make, nameForm, photoLink, plural } from './dom.mjs';

/** Runs one action through the page's action runner (status line, redraw, undo). */
export type Run = (work: () => Promise<string>) => void;

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
  /** A stored cluster: it can be named in one go, and a face taken out of it. */
  readonly clusterId: number | null;
}

const GATHERED: Readonly<Record<string, string>> = {
  once: 'Seen once',
  unlikely: 'Probably not faces',
};

/**
 * Guess groups and likeness groups of two or more, then every face alike to no other in one last
 * section: a card per lone face wastes the screen.
 */
function sections(groups: readonly FaceGroup[]): Section[] {
  if (groups.some((g) => g.kind in GATHERED || g.kind === 'cluster')) {
    let n = 0;
    return groups.map((g) => ({
      title: `${GATHERED[g.kind] ?? `Person ${++n}`} · ${plural(g.faces.length, 'face')}`,
      faces: g.faces,
      lone: g.kind !== 'cluster',
      guess: null,
      clusterId: g.kind === 'cluster' ? g.clusterId : null,
    }));
  }
  const many = groups.filter((g) => g.guess !== null || g.faces.length > 1);
  const lone = groups.filter((g) => g.guess === null && g.faces.length === 1).flatMap((g) => g.faces);
  let n = 0;
  const out: Section[] = many.map((g) => ({
    title: `${g.guess === null ? `Group ${++n}` : `Maybe ${g.guess}?`} · ${plural(g.faces.length, 'face')}`,
    faces: g.faces,
    lone: false,
    guess: g.guess,
    clusterId: null,
  }));
  if (lone.length > 0) {
    out.push({
      title: `Not like the others · ${plural(lone.length, 'face')}`,
      faces: lone,
      lone: true,
      guess: null,
      clusterId: null,
    });
  }
  return out;
}

function toggle(ids: readonly number[]): void {
  const every = ids.every((id) => selected.has(id));
  for (const id of ids) every ? selected.delete(id) : selected.add(id);
  updateSelection();
}

/** A cluster's own name box: type the name, press Enter, and every face of it is named (one undo). */
function nameCluster(ids: readonly number[], run: Run): HTMLFormElement {
  const { form } = nameForm(
    { placeholder: 'Who is this?', label: 'Name for every face of this group', button: 'Name all' },
    (person) =>
      run(async () => `Named ${person}: ${plural(await labelFaces(ids, { action: 'name', person }), 'face')}.`),
  );
  form.className = 'name-cluster';
  return form;
}

/** The hint says what this list holds: clusters, guesses, likeness, or nothing left. */
function hint(groups: readonly FaceGroup[]): string {
  const after = ' Or tap faces to select them, then name them below, or mark strangers. Every action can be undone.';
  if (groups.length === 0) return 'Every face found so far is named or set aside.';
  if (groups.some((g) => g.kind === 'cluster' || g.kind in GATHERED))
    return `Faces nobody has named yet. Each group is one person as far as facetag can tell: type who it is and every face in it is named; take out a face that is someone else.${after}`;
  if (groups.some((g) => g.guess !== null))
    return `Faces nobody has named yet. “Maybe …?” groups are facetag's guesses, not sure enough to name; the other groups are faces that look alike.${after}`;
  return `Faces nobody has named yet, grouped by how alike they look.${after}`;
}

export function renderGroups(groups: readonly FaceGroup[], run: Run): void {
  const root = groupsEl();
  root.replaceChildren();
  byId('unknown-hint', HTMLParagraphElement).textContent = hint(groups);
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
      // The photo the face is in, with the face highlighted, for context (or to fix it there).
      const card = make('div', { className: 'face-card' }, b, photoLink(f.photoId, f.id));
      if (group.clusterId !== null) {
        // Not this person: out of the group for good, so it is not offered with them again.
        const out = button(
          'Not in group',
          () =>
            run(async () => {
              await api(`/api/faces/${f.id}/uncluster`, {});
              return 'Taken out of the group.';
            }),
          'uncluster',
        );
        out.title = `face ${f.id} is someone else: take it out of this group`;
        card.append(out);
      }
      grid.append(card);
    }
    const head = make('div', { className: 'group-head' }, make('h3', { textContent: group.title }), all);
    if (group.clusterId !== null) head.append(nameCluster(ids, run));
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
    if (group.clusterId !== null) section.dataset.cluster = String(group.clusterId);
    if (group.guess !== null) section.dataset.guess = group.guess;
    root.append(section);
  });
  // Faces named elsewhere are no longer on the page: forget them.
  const shown = new Set(groups.flatMap((g) => g.faces.map((f) => f.id)));
  for (const id of selected) if (!shown.has(id)) selected.delete(id);
  updateSelection();
}
