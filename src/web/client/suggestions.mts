/**
 * Suggestions: auto faces a model named, per person, surest first, to confirm or reject quickly.
 * How sure is said in words ("sure": facetag already writes it to the photo's tags).
 */
import type { PersonSuggestions } from './api.mjs';
import { button, byId, chipImage, labelFaces, make, photoLink, plural, sureLabel } from './dom.mjs';

export type Run = (work: () => Promise<string>) => void;

export function renderSuggestions(persons: readonly PersonSuggestions[], sureFrom: number, run: Run): void {
  const root = byId('persons', HTMLDivElement);
  root.replaceChildren();
  if (persons.length === 0) root.append(make('p', { className: 'empty', textContent: 'No suggestions.' }));
  for (const p of persons) {
    const confirm = (ids: number[]) =>
      run(
        async () =>
          `Confirmed ${p.name}: ${plural(await labelFaces(ids, { action: 'confirm', person: p.name }), 'face')}.`,
      );
    const grid = make('div', { className: 'grid' });
    for (const f of p.faces) {
      const yes = button('✓', () => confirm([f.id]), 'confirm');
      const no = button(
        '✗',
        () => run(async () => `Rejected ${p.name}: ${plural(await labelFaces([f.id], { action: 'reject' }), 'face')}.`),
        'reject',
      );
      yes.title = `It is ${p.name}`;
      no.title = `Not ${p.name}`;
      yes.setAttribute('aria-label', `Face ${f.id} is ${p.name}`);
      no.setAttribute('aria-label', `Face ${f.id} is not ${p.name}`);
      const card = make(
        'div',
        { className: 'suggestion' },
        make('div', { className: 'chip' }, chipImage(f.id)),
        sureLabel(f.decisionValue, sureFrom),
        make('div', { className: 'buttons' }, yes, no),
        photoLink(f.photoId, f.id),
      );
      card.dataset.faceId = String(f.id);
      grid.append(card);
    }
    const all = button(`Confirm all ${p.faces.length}`, () => confirm(p.faces.map((f) => f.id)), 'confirm-all');
    const title = make('h3', {}, Object.assign(make('a', { textContent: p.name }), { href: `#/person/${p.id}` }));
    const section = make(
      'section',
      { className: 'person' },
      make('div', { className: 'group-head' }, title, all),
      grid,
    );
    section.dataset.person = p.name;
    root.append(section);
  }
}
