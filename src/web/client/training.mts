/** Training: the state per person (named faces, last trained, CV score), "train now" and live progress. */
import { api, type TrainingState, trainingOf } from './api.mjs';
import { button, make } from './dom.mjs';
import type { Run } from './suggestions.mjs';

const when = (ms: number): string => new Date(ms).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' });

function stateText(s: TrainingState | null): string {
  if (!s) return 'The training service is starting.';
  switch (s.phase) {
    case 'waiting':
      return `Labels changed: training starts ${s.startsAt ? `at ${new Date(s.startsAt).toLocaleTimeString()}` : 'soon'}.`;
    case 'training':
      return `Training: ${s.progress?.done ?? 0} of ${s.progress?.total || '?'} persons${s.progress?.current ? ` (last: ${s.progress.current})` : ''}.`;
    case 'naming':
      return `Naming faces with the new models: ${s.progress?.done ?? 0} of ${s.progress?.total ?? '?'}.`;
    default:
      if (s.last?.error) return `The last training failed: ${s.last.error}`;
      return s.last
        ? `Idle. Last trained ${when(s.last.finishedAt)} in ${s.last.seconds} s: ${s.last.persons} persons, ${s.last.named} faces named.`
        : 'Idle.';
  }
}

let poll: number | undefined;

/** Draws the panel and keeps it live (one request a second) while it is shown. */
export async function renderTraining(root: HTMLElement, run: Run, isShown: () => boolean): Promise<void> {
  window.clearTimeout(poll);
  const { service, persons } = trainingOf(await api('/api/training'));
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
      return 'Training started.';
    }),
  );
  now.id = 'train-now';
  now.disabled = running;
  const head = make(
    'tr',
    {},
    ...['Person', 'Named faces', 'Model', 'Trained', 'CV score'].map((t) => make('th', { textContent: t })),
  );
  const rows = persons.map((p) => {
    const row = make(
      'tr',
      {},
      make('td', {}, Object.assign(make('a', { textContent: p.name }), { href: `#/person/${p.id}` })),
      make('td', { textContent: String(p.chips) }),
      make('td', { textContent: p.model ? `v${p.model.version}` : 'none yet' }),
      make('td', { textContent: p.model ? when(p.model.trainedAt) : '' }),
      make('td', { textContent: p.model?.cvScore == null ? '' : p.model.cvScore.toFixed(3) }),
    );
    row.dataset.person = p.name;
    return row;
  });
  root.replaceChildren(
    make('h2', { textContent: 'Training' }),
    make('p', {
      className: 'hint',
      textContent:
        'facetag retrains by itself shortly after labels change. A person needs a few named faces before a model is trained.',
    }),
    make('div', { className: 'person-tools' }, now, state, bar),
    // Wide tables scroll inside their box on a phone; the page itself never scrolls sideways.
    make(
      'div',
      { className: 'table-wrap' },
      make('table', { className: 'people' }, make('thead', {}, head), make('tbody', {}, ...rows)),
    ),
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
