/**
 * "Draw a face" on the photo view: press, drag, release; then name the face and save. The box is
 * sent in the photo's own (oriented, full-resolution) pixels.
 */
import { api } from './api.mjs';
import { button, make } from './dom.mjs';
import type { Run } from './suggestions.mjs';

const pct = (v: number, of: number): string => `${((100 * v) / of).toFixed(3)}%`;

export function drawing(
  stage: HTMLElement,
  W: number | null,
  H: number | null,
  photoId: number,
  run: Run,
): { button: HTMLButtonElement; form: HTMLFormElement } {
  const draft = make('div', { className: 'box draft' });
  draft.hidden = true;
  stage.append(draft);
  const nameInput = make('input');
  nameInput.id = 'drawn-name';
  nameInput.setAttribute('list', 'person-names');
  nameInput.placeholder = 'Who is it?';
  nameInput.autocomplete = 'off';
  const form = make('form', { className: 'inline-form' }, nameInput, make('button', { textContent: 'Save face' }));
  form.id = 'drawn-form';
  form.hidden = true;
  let active = false;
  let start = { x: 0, y: 0 };
  let box = { x: 0, y: 0, width: 0, height: 0 };
  const toggle = button('Draw a face', () => {
    active = !active;
    stage.classList.toggle('drawing', active);
    toggle.textContent = active ? 'Cancel drawing' : 'Draw a face';
    if (!active) {
      draft.hidden = true;
      form.hidden = true;
    }
  });
  toggle.id = 'draw-button';
  if (!W || !H) toggle.disabled = true;

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
    if (!active) return;
    e.preventDefault();
    stage.setPointerCapture(e.pointerId);
    pressed = true;
    start = photoPoint(e);
    box = { ...start, width: 0, height: 0 };
    form.hidden = true;
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
    form.hidden = false;
    nameInput.focus();
  });
  form.addEventListener('submit', (e) => {
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
      await api(`/api/photos/${photoId}/faces`, { box: rounded, person });
      return `Added a face of ${person}.`;
    });
  });
  return { button: toggle, form };
}
