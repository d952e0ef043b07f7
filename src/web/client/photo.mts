/**
 * The photo view: the photo with its faces' boxes and names. A tap on a box (or arriving from a
 * face elsewhere) selects that face and opens the same actions as everywhere else, so a wrong
 * name is fixed where it is seen. "Draw a face" adds one the detector missed. Boxes are placed in
 * percent of the photo, so they follow any screen size; a drawn box is sent back in the photo's
 * own (oriented, full-resolution) pixels.
 */
import { api, type Face, photoFacesOf } from './api.mjs';
import { act, authImage, make, plural } from './dom.mjs';
import { facePanel } from './face-panel.mjs';
import { drawing } from './photo-drawing.mjs';
import type { Run } from './suggestions.mjs';

/** The name shown under a box: plain words, no scores. */
function label(f: Face): string {
  switch (f.labelState) {
    case 'confirmed':
      return f.person ?? '';
    case 'rejected':
      return `not ${f.person ?? ''}`;
    case 'not_a_face':
      return 'not a face';
    case 'ignored':
      return 'stranger';
    case 'auto':
      return f.predictedPerson === null ? 'who is this?' : `${f.predictedPerson}?`;
  }
}

const pct = (v: number, of: number): string => `${((100 * v) / of).toFixed(3)}%`;

/** The photo view's keys, shown on the page and handled by onPhotoKey. */
const KEYS: readonly (readonly [string, string])[] = [
  ['← →', 'previous / next face'],
  ['N', 'name'],
  ['Y', 'yes, that is them'],
  ['X', 'not them'],
  ['I', 'stranger'],
  ['F', 'not a face'],
  ['C', 'clear'],
  ['U', 'undo'],
  ['Esc', 'close'],
];

function keyHelp(): HTMLElement {
  const p = make('p', { className: 'keys' }, 'Keys: ');
  for (const [i, [k, what]] of KEYS.entries()) p.append(i ? ', ' : '', make('kbd', { textContent: k }), ` ${what}`);
  return p;
}

/** The open photo view's key handler; replaced on every draw, removed when another view is drawn. */
let photoKeys: ((e: KeyboardEvent) => void) | undefined;
export function onPhotoKey(e: KeyboardEvent): void {
  photoKeys?.(e);
}
export function leavePhoto(): void {
  photoKeys = undefined;
}

export async function renderPhoto(
  root: HTMLElement,
  id: number,
  focusFace: number | null,
  sureFrom: number,
  redrawAll: () => Promise<void>,
): Promise<void> {
  let { photo, faces } = photoFacesOf(await api(`/api/photos/${id}/faces`));
  const W = photo.width;
  const H = photo.height;
  const stage = make('div', { className: 'stage' }, authImage(`/api/photos/${id}/image`, photo.path));
  const boxes = make('div', { className: 'boxes' });
  stage.append(boxes);
  const panel = make('div', { className: 'face-panel' });
  panel.id = 'face-panel';
  const hint = make('p', { className: 'hint' });
  let current = focusFace;

  const shown = (): Face[] => faces.filter((f) => f.labelState !== 'not_a_face');
  /** Remember the face in the address (no redraw), so a reload or a shared link opens it again. */
  const remember = () =>
    history.replaceState(null, '', current === null ? `#/photo/${id}` : `#/photo/${id}/face/${current}`);

  /** Labels change only this photo: fetch its faces again and redraw the boxes, not the image. */
  const refresh = async () => {
    ({ faces } = photoFacesOf(await api(`/api/photos/${id}/faces`)));
    if (!faces.some((f) => f.id === current && f.labelState !== 'not_a_face')) current = null;
    drawBoxes();
  };
  const run: Run = (work) => void act(work, refresh);

  function select(faceId: number | null): void {
    current = faceId;
    remember();
    drawBoxes();
  }

  function drawBoxes(): void {
    boxes.replaceChildren();
    if (W && H) {
      for (const f of shown()) {
        const box = make('div', { className: `box ${f.labelState}` });
        box.dataset.faceId = String(f.id);
        box.setAttribute('role', 'button');
        box.tabIndex = 0;
        box.setAttribute('aria-label', `face: ${label(f)}`);
        if (f.id === current) box.classList.add('highlight');
        Object.assign(box.style, {
          left: pct(f.box.cx - f.box.width / 2, W),
          top: pct(f.box.cy - f.box.height / 2, H),
          width: pct(f.box.width, W),
          height: pct(f.box.height, H),
          transform: `rotate(${f.box.angle}deg)`,
        });
        box.addEventListener('click', () => select(f.id));
        box.addEventListener('keydown', (e) => {
          if (e.key === 'Enter') select(f.id);
        });
        // The name sits under the turned box's outline, always upright and readable.
        const rad = (f.box.angle * Math.PI) / 180;
        const halfHigh = (Math.abs(f.box.width * Math.sin(rad)) + Math.abs(f.box.height * Math.cos(rad))) / 2;
        const name = make('span', { className: `box-label ${f.labelState}`, textContent: label(f) });
        Object.assign(name.style, { left: pct(f.box.cx - f.box.width / 2, W), top: pct(f.box.cy + halfHigh, H) });
        boxes.append(box, name);
      }
    }
    const face = shown().find((f) => f.id === current);
    panel.hidden = face === undefined;
    if (face) {
      panel.dataset.faceId = String(face.id);
      panel.replaceChildren(...facePanel(face, sureFrom, run, () => select(null)));
    }
    const named = faces.filter((f) => f.labelState === 'confirmed').length;
    hint.textContent =
      shown().length === 0
        ? 'No faces found here. Missed one? Draw a box around it and name it.'
        : `${plural(shown().length, 'face')}, ${named} named. Tap a face to name it or fix its name. Missed one? Draw a box around it.`;
  }

  photoKeys = (e) => {
    const list = shown();
    const at = list.findIndex((f) => f.id === current);
    if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      const step = e.key === 'ArrowRight' ? 1 : -1;
      const next = list[at < 0 ? 0 : (at + step + list.length) % list.length];
      if (!next) return;
      e.preventDefault();
      select(next.id);
      return;
    }
    if (e.key === 'Escape') return select(null);
    // The panel's buttons carry their key: the same action, whether clicked or typed.
    const target = panel.hidden ? null : panel.querySelector<HTMLElement>(`[data-key="${e.key.toLowerCase()}"]`);
    if (!target) return;
    e.preventDefault();
    if (target instanceof HTMLInputElement) target.focus();
    else target.click();
  };

  const draw = drawing(stage, W, H, id, (work) => void act(work, redrawAll));
  drawBoxes();
  root.replaceChildren(
    make('h2', { textContent: photo.path.split('/').pop() ?? photo.path, title: photo.path }),
    hint,
    make('div', { className: 'person-tools' }, draw.button, draw.form),
    panel,
    stage,
    keyHelp(),
  );
  root.dataset.photo = String(id);
  if (current !== null) stage.querySelector(`.box[data-face-id="${current}"]`)?.scrollIntoView({ block: 'center' });
}
