/**
 * The photo view: the photo with its faces' boxes and names, and "draw a face" for one the
 * detector missed. Boxes are positioned in percent of the photo, so they follow any screen size;
 * a drawn box is sent back in the photo's own (oriented, full-resolution) pixels.
 */
import { api, type Face, photoFacesOf } from './api.mjs';
import { authImage, button, make, plural } from './dom.mjs';
import type { Run } from './suggestions.mjs';

function label(f: Face): string {
  switch (f.labelState) {
    case 'confirmed':
      return f.person ?? '';
    case 'rejected':
      return `not ${f.person ?? ''}`;
    case 'not_a_face':
      return 'not a face';
    case 'ignored':
      return 'ignored';
    case 'auto':
      return f.predictedPerson === null ? 'unknown' : `${f.predictedPerson}?`;
  }
}

const pct = (v: number, of: number): string => `${((100 * v) / of).toFixed(3)}%`;

export async function renderPhoto(root: HTMLElement, id: number, run: Run): Promise<void> {
  const { photo, faces } = photoFacesOf(await api(`/api/photos/${id}/faces`));
  const W = photo.width;
  const H = photo.height;
  const stage = make('div', { className: 'stage' }, authImage(`/api/photos/${id}/image`, photo.path));
  if (W && H) {
    stage.style.aspectRatio = `${W} / ${H}`;
    // The whole photo in view: as wide as the column allows, and at most 80% of the screen's height.
    stage.style.width = `min(100%, ${((80 * W) / H).toFixed(3)}vh)`;
    for (const f of faces) {
      if (f.labelState === 'not_a_face') continue;
      const box = make('div', { className: `box ${f.labelState}` }, make('span', { textContent: label(f) }));
      box.dataset.faceId = String(f.id);
      Object.assign(box.style, {
        left: pct(f.box.cx - f.box.width / 2, W),
        top: pct(f.box.cy - f.box.height / 2, H),
        width: pct(f.box.width, W),
        height: pct(f.box.height, H),
        transform: `rotate(${f.box.angle}deg)`,
      });
      stage.append(box);
    }
  }

  // Drawing: press, drag, release; then name the face and save.
  const draft = make('div', { className: 'box draft' });
  draft.hidden = true;
  stage.append(draft);
  const nameInput = make('input');
  nameInput.id = 'drawn-name';
  nameInput.setAttribute('list', 'person-names');
  nameInput.placeholder = 'Who is it?';
  nameInput.autocomplete = 'off';
  const saveForm = make('form', { className: 'inline-form' }, nameInput, make('button', { textContent: 'Save face' }));
  saveForm.id = 'drawn-form';
  saveForm.hidden = true;
  let drawing = false;
  let start = { x: 0, y: 0 };
  let box = { x: 0, y: 0, width: 0, height: 0 };
  const drawButton = button('Draw a face', () => {
    drawing = !drawing;
    stage.classList.toggle('drawing', drawing);
    drawButton.textContent = drawing ? 'Cancel drawing' : 'Draw a face';
    if (!drawing) {
      draft.hidden = true;
      saveForm.hidden = true;
    }
  });
  drawButton.id = 'draw-button';
  if (!W || !H) drawButton.disabled = true;

  const photoPoint = (e: PointerEvent) => {
    const r = stage.getBoundingClientRect();
    const clamp = (v: number) => Math.min(1, Math.max(0, v));
    return { x: clamp((e.clientX - r.left) / r.width) * (W ?? 0), y: clamp((e.clientY - r.top) / r.height) * (H ?? 0) };
  };
  const show = () => {
    if (!W || !H) return;
    draft.hidden = false;
    Object.assign(draft.style, {
      left: pct(box.x, W),
      top: pct(box.y, H),
      width: pct(box.width, W),
      height: pct(box.height, H),
    });
  };
  let pressed = false;
  stage.addEventListener('pointerdown', (e) => {
    if (!drawing) return;
    e.preventDefault();
    stage.setPointerCapture(e.pointerId);
    pressed = true;
    start = photoPoint(e);
    box = { ...start, width: 0, height: 0 };
    saveForm.hidden = true;
    show();
  });
  stage.addEventListener('pointermove', (e) => {
    if (!pressed) return;
    const p = photoPoint(e);
    box = {
      x: Math.min(start.x, p.x),
      y: Math.min(start.y, p.y),
      width: Math.abs(p.x - start.x),
      height: Math.abs(p.y - start.y),
    };
    show();
  });
  stage.addEventListener('pointerup', () => {
    if (!pressed) return;
    pressed = false;
    saveForm.hidden = false;
    nameInput.focus();
  });
  saveForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const person = nameInput.value.trim();
    if (!person) {
      nameInput.focus();
      return;
    }
    const rounded = {
      x: Math.round(box.x),
      y: Math.round(box.y),
      width: Math.round(box.width),
      height: Math.round(box.height),
    };
    run(async () => {
      await api(`/api/photos/${id}/faces`, { box: rounded, person });
      return `Added a face of ${person}.`;
    });
  });

  const named = faces.filter((f) => f.labelState === 'confirmed').length;
  root.replaceChildren(
    make('h2', { textContent: photo.path.split('/').pop() ?? photo.path, title: photo.path }),
    make('p', {
      className: 'hint',
      textContent: `${plural(faces.length, 'face')} found, ${named} named. Missed one? Draw a box around it and name it.`,
    }),
    make('div', { className: 'person-tools' }, drawButton, saveForm),
    stage,
  );
  root.dataset.photo = String(id);
}
