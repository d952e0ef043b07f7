/**
 * Photos: the library as a grid of thumbnails, newest first, grouped by month (the date the photo
 * was taken, else its file's date). Filter by a person, or to the photos where no face was found,
 * where a missed face hides.
 */
import { api, type Person, type PhotoListing, photoListOf } from './api.mjs';
import { button, lazyImage, make, plural } from './dom.mjs';

export type PhotoFilter =
  | { readonly kind: 'all' }
  | { readonly kind: 'faceless' }
  | { readonly kind: 'person'; readonly id: number };

export const filterHash = (f: PhotoFilter): string =>
  f.kind === 'all' ? '#/photos' : f.kind === 'faceless' ? '#/photos/faceless' : `#/photos/person/${f.id}`;

const PAGE = 120;

/**
 * A date as the photo shows it. A photo's own date is its camera's wall-clock time (stored as if
 * UTC: EXIF has no zone), so it is shown in UTC; a file's time is a real instant, shown locally.
 */
function dateText(p: PhotoListing, options: Intl.DateTimeFormatOptions): string {
  if (p.takenAt === null) return '';
  return new Date(p.takenAt).toLocaleDateString(undefined, {
    ...options,
    ...(p.dateSource === 'taken' ? { timeZone: 'UTC' } : {}),
  });
}

const monthOf = (p: PhotoListing): string => dateText(p, { month: 'long', year: 'numeric' }) || 'Date unknown';

function caption(p: PhotoListing): string {
  const faces = p.faces === 0 ? 'no faces found' : plural(p.faces, 'face');
  const day = dateText(p, { day: 'numeric', month: 'short' });
  return day ? `${day} · ${faces}` : faces;
}

function thumb(p: PhotoListing): HTMLAnchorElement {
  const name = p.path.split('/').pop() ?? p.path;
  const link = make(
    'a',
    { className: 'thumb', title: `${p.path}${p.dateSource === 'file' ? ' (no date in the photo: file date)' : ''}` },
    make('div', { className: 'pic' }, lazyImage(`/api/photos/${p.id}/thumb`, name)),
    make('span', { className: 'caption', textContent: caption(p) }),
  );
  link.href = `#/photo/${p.id}`;
  link.dataset.photoId = String(p.id);
  return link;
}

function filterBar(filter: PhotoFilter, persons: readonly Person[]): HTMLElement {
  const who = make('select');
  who.id = 'photo-person';
  who.setAttribute('aria-label', 'Show the photos of');
  who.append(Object.assign(make('option', { textContent: 'Everyone' }), { value: '' }));
  for (const p of persons) who.append(Object.assign(make('option', { textContent: p.name }), { value: String(p.id) }));
  who.value = filter.kind === 'person' ? String(filter.id) : '';
  who.addEventListener('change', () => {
    location.hash = filterHash(who.value ? { kind: 'person', id: Number(who.value) } : { kind: 'all' });
  });
  const faceless = make('a', {
    textContent: filter.kind === 'faceless' ? 'Show all photos' : 'Only photos with no faces found',
  });
  faceless.id = 'photo-faceless';
  faceless.href = filterHash(filter.kind === 'faceless' ? { kind: 'all' } : { kind: 'faceless' });
  return make('div', { className: 'filters' }, make('label', {}, 'Photos of ', who), faceless);
}

export async function renderPhotos(root: HTMLElement, filter: PhotoFilter, persons: readonly Person[]): Promise<void> {
  const grid = make('div', { className: 'photo-grid' });
  const more = button('More photos', () => void page());
  more.id = 'more-photos';
  let cursor: string | null = null;
  let month = '';
  let section: HTMLElement | undefined;
  let shown = 0;

  async function page(): Promise<void> {
    const q = new URLSearchParams({ limit: String(PAGE) });
    if (cursor !== null) q.set('cursor', cursor);
    if (filter.kind === 'faceless') q.set('faces', 'none');
    if (filter.kind === 'person') q.set('person', String(filter.id));
    const { photos, next } = photoListOf(await api(`/api/photos?${q}`));
    for (const p of photos) {
      const m = monthOf(p);
      if (!section || m !== month) {
        month = m;
        section = make('div', { className: 'thumbs' });
        grid.append(make('h3', { className: 'month', textContent: m }), section);
      }
      section.append(thumb(p));
    }
    shown += photos.length;
    if (shown === 0) grid.replaceChildren(make('p', { className: 'empty', textContent: 'No photos here.' }));
    more.hidden = next === null;
    cursor = next;
  }

  const person = filter.kind === 'person' ? persons.find((p) => p.id === filter.id) : undefined;
  const title =
    filter.kind === 'faceless' ? 'Photos with no faces found' : person ? `Photos of ${person.name}` : 'Photos';
  root.replaceChildren(
    make('h2', { textContent: title }),
    make('p', {
      className: 'hint',
      textContent:
        'Newest first, by the date each photo was taken (or its file date). Open a photo to fix a name on it, or to draw a face that was missed.',
    }),
    filterBar(filter, persons),
    grid,
    more,
  );
  await page();
}
