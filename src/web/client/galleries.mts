/**
 * Where the names go beyond facetag (issue 15 §1): the sidecars and each gallery plugin, its state
 * in words, and every photo it could not deliver (a sidecar that does not parse, a photo the
 * gallery does not know) with the reason and a "Try again" button. Part of the Training view.
 */
import { api, isRecord } from './api.mjs';
import { button, make, plural } from './dom.mjs';
import type { Run } from './suggestions.mjs';

interface Parked {
  readonly eventId: number;
  readonly path: string;
  readonly reason: string;
}
export interface Delivery {
  readonly id: string;
  readonly name: string;
  readonly state: string;
  readonly reason: string | null;
  readonly parked: readonly Parked[];
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/** GET /api/plugins, checked: entries without an id are dropped, missing fields read as empty. */
export function deliveriesOf(v: unknown): Delivery[] {
  const list = isRecord(v) && Array.isArray(v.plugins) ? v.plugins : [];
  return list.filter(isRecord).flatMap((p) => {
    const id = text(p.id);
    if (!id) return [];
    const parked = (Array.isArray(p.parked) ? p.parked : []).filter(isRecord).map((e) => ({
      eventId: typeof e.eventId === 'number' ? e.eventId : 0,
      path: text(e.path),
      reason: text(e.reason),
    }));
    return [{ id, name: text(p.name) || id, state: text(p.state), reason: text(p.reason) || null, parked }];
  });
}

const TITLES: Readonly<Record<string, string>> = {
  xmp: 'Sidecars (.xmp files beside the photos)',
  immich: 'Immich',
  photoprism: 'PhotoPrism',
  webhook: 'Webhook',
};

function stateText(d: Delivery): string {
  switch (d.state) {
    case 'running':
      return d.parked.length > 0
        ? `Working, but ${plural(d.parked.length, 'photo')} could not be written.`
        : 'Working.';
    case 'disabled':
      return `Paused after repeated failures: ${d.reason ?? 'no reason given'}.`;
    case 'failed':
      return `Could not start: ${d.reason ?? 'no reason given'}.`;
    case 'off':
      return 'Off in the settings.';
    default:
      return 'Stopped.';
  }
}

/** The section, from a fresh GET /api/plugins; empty when no plugin is configured. */
export async function galleriesSection(run: Run): Promise<HTMLElement> {
  const deliveries = deliveriesOf(await api('/api/plugins'));
  const items = deliveries.map((d) => {
    const retry =
      d.state === 'disabled' || d.parked.length > 0
        ? button('Try again', () =>
            run(async () => {
              const r = await api(`/api/plugins/${encodeURIComponent(d.id)}/retry`, {});
              const retried = isRecord(r) && typeof r.retried === 'number' ? r.retried : 0;
              return `${TITLES[d.name] ?? d.name}: trying ${plural(retried, 'photo')} again.`;
            }),
          )
        : null;
    const parked = make(
      'ul',
      { className: 'parked' },
      ...d.parked.map((e) => make('li', {}, make('code', { textContent: e.path }), `: ${e.reason}`)),
    );
    const item = make(
      'li',
      {},
      make('strong', { textContent: TITLES[d.name] ?? d.name }),
      ` ${stateText(d)} `,
      ...(retry ? [retry] : []),
      ...(d.parked.length > 0 ? [parked] : []),
    );
    item.dataset.plugin = d.id;
    item.dataset.state = d.state;
    return item;
  });
  return make(
    'section',
    { className: 'galleries' },
    make('h2', { textContent: 'Where names are written' }),
    deliveries.length === 0
      ? make('p', { className: 'hint', textContent: 'No sidecars or galleries are set up in the settings.' })
      : make('ul', {}, ...items),
  );
}
