/**
 * Training: per person, how many faces are named, whether facetag can recognise them yet and how
 * well (in words; the cross-validation score stays in the tooltip), "train now" and live progress;
 * then where names are written (galleries.mts).
 */
import { api, type TrainingState, trainingOf } from './api.mjs';
import { button, make, plural } from './dom.mjs';
import { galleriesSection } from './galleries.mjs';
import type { Run } from './suggestions.mjs';

/** The model's cross-validated score, in words a family uses. */
function howWell(score: number | null): string {
  if (score === null) return '';
  if (score >= 0.95) return 'very well';
  if (score >= 0.85) return 'well';
  if (score >= 0.7) return 'fairly: name more of their faces';
  return 'poorly: name more of their faces';
}

/** A run's length in words, without the decimals a family could take for a score. */
function took(seconds: number): string {
  if (seconds < 1) return 'under a second';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  return `${Math.round(seconds / 60)} min`;
}

const when = (ms: number): string => new Date(ms).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' });

function stateText(s: TrainingState | null): string {
  if (!s) return 'The training service is starting.';
  switch (s.phase) {
    case 'waiting':
      return `Names changed: learning starts ${s.startsAt ? `at ${new Date(s.startsAt).toLocaleTimeString()}` : 'soon'}.`;
    case 'training':
      return `Learning: ${s.progress?.done ?? 0} of ${s.progress?.total || '?'} people${s.progress?.current ? ` (last: ${s.progress.current})` : ''}.`;
    case 'naming':
      return `Naming faces with the new models: ${s.progress?.done ?? 0} of ${s.progress?.total ?? '?'}.`;
    default:
      if (s.last?.error) return `The last training failed: ${s.last.error}`;
      return s.last
        ? `Up to date. Last learned ${when(s.last.finishedAt)} in ${took(s.last.seconds)}: ${plural(s.last.persons, 'person', 'people')}, ${plural(s.last.named, 'face')} named.`
        : 'Idle.';
  }
}

let poll: number | undefined;

/** Draws the panel and keeps it live (one request a second) while it is shown. */
export async function renderTraining(root: HTMLElement, run: Run, isShown: () => boolean): Promise<void> {
  window.clearTimeout(poll);
  const [{ service, persons }, galleries] = await Promise.all([
    api('/api/training').then(trainingOf),
    galleriesSection(run),
  ]);
  const bar = make('progress');
  bar.id = 'training-progress';
  const busy = service !== null && service.phase !== 'idle';
  const running = busy && service.phase !== 'waiting';
  if (running && service.progress && service.progress.total > 0) {
    bar.max = service.progress.total;
    bar.value = service.progress.done;
  } else if (!running) bar.hidden = true;
  const state = make('p', { textContent: stateText(service) });
  state.id = 'training-state';
  state.dataset.phase = service?.phase ?? 'starting';
  const now = button('Train now', () =>
    run(async () => {
      await api('/api/training', {});
      return 'Learning started.';
    }),
  );
  now.id = 'train-now';
  now.disabled = running;
  const head = make(
    'tr',
    {},
    ...['Person', 'Named faces', 'Recognised', 'Last learned', 'How well'].map((t) => make('th', { textContent: t })),
  );
  const rows = persons.map((p) => {
    const row = make(
      'tr',
      {},
      make('td', {}, Object.assign(make('a', { textContent: p.name }), { href: `#/person/${p.id}` })),
      make('td', { textContent: String(p.chips) }),
      make('td', { textContent: p.model ? 'yes' : 'not yet: name a few more faces' }),
      make('td', { textContent: p.model ? when(p.model.trainedAt) : '' }),
      make('td', {
        textContent: howWell(p.model?.cvScore ?? null),
        title: p.model?.cvScore == null ? '' : `cross-validation score ${p.model.cvScore.toFixed(3)}`,
      }),
    );
    row.dataset.person = p.name;
    return row;
  });
  root.replaceChildren(
    make('h2', { textContent: 'Training' }),
    make('p', {
      className: 'hint',
      textContent:
        'facetag learns again by itself shortly after names change. It recognises a person once a few of their faces are named.',
    }),
    make('div', { className: 'person-tools' }, now, state, bar),
    // Wide tables scroll inside their box on a phone; the page itself never scrolls sideways.
    make(
      'div',
      { className: 'table-wrap' },
      make('table', { className: 'people' }, make('thead', {}, head), make('tbody', {}, ...rows)),
    ),
    galleries,
  );
  if (isShown()) {
    poll = window.setTimeout(
      () => {
        if (isShown()) void renderTraining(root, run, isShown).catch(() => undefined);
      },
      busy ? 1000 : 3000,
    );
  }
}
