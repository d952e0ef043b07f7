/** Photos: the library, newest first, with how many faces each has; "no faces found" ones are where a missed face hides. */
import { api, photoListOf } from './api.mjs';
import { button, make } from './dom.mjs';

export async function renderPhotos(root: HTMLElement, onlyFaceless: boolean): Promise<void> {
  const list = make('ul', { className: 'photo-list' });
  const more = button('More', () => void page());
  let before = 0;
  async function page(): Promise<void> {
    const q = new URLSearchParams({ limit: '200', before: String(before), ...(onlyFaceless ? { faces: 'none' } : {}) });
    const { photos, next } = photoListOf(await api(`/api/photos?${q}`));
    for (const p of photos) {
      const link = make('a', { textContent: p.path.split('/').pop() ?? p.path, title: p.path });
      link.href = `#/photo/${p.id}`;
      const item = make(
        'li',
        {},
        link,
        make('span', { className: 'count', textContent: p.faces === 0 ? 'no faces found' : `${p.faces} faces` }),
      );
      item.dataset.photoId = String(p.id);
      list.append(item);
    }
    more.hidden = next === null;
    if (next !== null) before = next;
  }
  const filter = make('a', { textContent: onlyFaceless ? 'Show all photos' : 'Only photos with no faces found' });
  filter.href = onlyFaceless ? '#/photos' : '#/photos/faceless';
  root.replaceChildren(
    make('h2', { textContent: onlyFaceless ? 'Photos with no faces found' : 'Photos' }),
    make('p', { className: 'hint' }, 'Open a photo to see its faces, or to draw one the detector missed. ', filter),
    list,
    more,
  );
  await page();
}
