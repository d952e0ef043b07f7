/**
 * One face's actions, as the photo view shows them for the face selected there: name (with the
 * names known so far), yes / not them, stranger, not a face, clear. Each is one undoable bulk
 * action, the same route every view uses. Buttons carry their key (`data-key`).
 */
import type { Face } from './api.mjs';
import { button, chipImage, labelFaces, make, nameForm, plural, sureLabel } from './dom.mjs';
import type { Run } from './suggestions.mjs';

function stateText(f: Face): string {
  switch (f.labelState) {
    case 'confirmed':
      return `This is ${f.person ?? ''}.`;
    case 'rejected':
      return `Not ${f.person ?? ''} (you said so). Who is it?`;
    case 'ignored':
      return 'A stranger: facetag does not ask about this face again.';
    case 'not_a_face':
      return 'Marked as not a face.';
    case 'auto':
      return f.predictedPerson === null
        ? 'Nobody has named this face yet. Who is it?'
        : `facetag thinks this is ${f.predictedPerson}.`;
  }
}

const keyed = <T extends HTMLElement>(el: T, key: string): T => {
  el.dataset.key = key;
  return el;
};

export function facePanel(f: Face, sureFrom: number, run: Run, close: () => void): HTMLElement[] {
  const one = (body: object, done: (n: number) => string) => run(async () => done(await labelFaces([f.id], body)));
  const state = make('div', { className: 'panel-state' }, make('p', { textContent: stateText(f) }));
  if (f.labelState === 'auto' && f.predictedPerson !== null) state.append(sureLabel(f.decisionValue, sureFrom));

  const { form, input } = nameForm({ placeholder: 'Name', label: 'Name for this face', button: 'Name' }, (person) =>
    one({ action: 'name', person }, () => `Named ${person}.`),
  );
  keyed(input, 'n').id = 'panel-name';
  form.id = 'panel-form';

  const buttons = make('div', { className: 'panel-buttons' });
  const guess = f.labelState === 'auto' ? f.predictedPerson : null;
  if (guess !== null) {
    buttons.append(
      keyed(
        button(
          `Yes, ${guess}`,
          () => one({ action: 'confirm', person: guess }, () => `Confirmed ${guess}.`),
          'confirm',
        ),
        'y',
      ),
      keyed(
        button(`Not ${guess}`, () => one({ action: 'reject' }, () => `Not ${guess}: noted.`), 'reject'),
        'x',
      ),
    );
  } else if (f.labelState === 'confirmed' && f.person !== null) {
    const who = f.person;
    buttons.append(
      keyed(
        button(`Not ${who}`, () => one({ action: 'reject', person: who }, () => `Not ${who}: noted.`), 'reject'),
        'x',
      ),
    );
  }
  if (f.labelState !== 'ignored')
    buttons.append(
      keyed(
        button('Stranger', () => one({ action: 'ignore' }, (n) => `Ignored ${plural(n, 'face')}.`), 'ignore'),
        'i',
      ),
    );
  buttons.append(
    keyed(
      button('Not a face', () => one({ action: 'not_a_face' }, () => 'Marked as not a face.'), 'not-face'),
      'f',
    ),
  );
  if (f.labelState !== 'auto')
    buttons.append(
      keyed(
        button('Clear', () => one({ action: 'clear' }, () => 'Cleared: facetag names this face again.'), 'clear'),
        'c',
      ),
    );
  buttons.append(button('Close', close, 'close'));
  for (const b of buttons.querySelectorAll<HTMLElement>('[data-key]')) {
    b.title = `key ${(b.dataset.key ?? '').toUpperCase()}`;
  }
  const chip = make('div', { className: 'panel-chip' }, chipImage(f.id));
  return [chip, state, form, buttons];
}
