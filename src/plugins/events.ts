/**
 * Turns an outbox entry into the event a plugin receives, reading the photo's state from the store
 * now (events are cues; see api.ts). An analysis announced for a file that has since gone, or whose
 * bytes have no analysis, gives no event: the photo.removed or the next photo.analysed that follows
 * it in the same photo's order says what happened.
 */
import type { Db } from '../store/db.js';
import { type FaceRow, facesOfPhoto } from '../store/faces.js';
import type { OutboxEvent } from '../store/outbox.js';
import { photoById, photosOfContent } from '../store/photos.js';
import { boundingBox } from '../vision/geometry.js';
import type { PluginBox, PluginEvent, PluginFace } from './api.js';

/** What the host keeps of an outbox row (also what its state file holds for pending rows). */
export type QueuedEvent = OutboxEvent & { readonly id: number; readonly createdAt: number };

export function buildEvent(db: Db, queued: QueuedEvent): PluginEvent | undefined {
  if (queued.kind === 'photo.removed') {
    const { photoId, path, hash } = queued.payload;
    return { kind: 'photo.removed', eventId: queued.id, photoId, path, hash, createdAt: queued.createdAt };
  }
  const photo = photoById(db, queued.payload.photoId);
  if (!photo || photo.status === 'removed') return undefined;
  const { content_id: contentId, hash, width, height } = photo;
  if (contentId === null || hash === null || width === null || height === null) return undefined;
  const orientation = photo.orientation ?? 1;
  const displayed = { width, height };
  const quarterTurn = orientation >= 5 && orientation <= 8;
  const faces: PluginFace[] = [];
  const rows = facesOfPhoto(db, photo.id);
  for (const row of rows) {
    const face = namedFace(row, displayed);
    if (face) faces.push(face);
  }
  return {
    kind: 'photo.tagged',
    eventId: queued.id,
    cause: queued.kind === 'photo.moved' ? 'moved' : (queued.payload.cause ?? 'analysed'),
    photoId: photo.id,
    path: photo.path,
    movedFrom: queued.kind === 'photo.moved' ? queued.payload.from : null,
    copies: photosOfContent(db, contentId)
      .filter((p) => p.status !== 'removed' && p.id !== photo.id)
      .map((p) => p.path),
    hash,
    orientation,
    // contents.width/height are the displayed size; a quarter turn swaps the stored one.
    stored: quarterTurn ? { width: height, height: width } : displayed,
    displayed,
    faces,
    detectedFaces: rows.length,
    createdAt: queued.createdAt,
  };
}

/** A confirmed or auto-named face; rejected, ignored, not-a-face and unnamed faces have no name to send. */
function namedFace(row: FaceRow, displayed: { width: number; height: number }): PluginFace | undefined {
  let name: string | null;
  let source: PluginFace['source'];
  if (row.label_state === 'confirmed') {
    name = row.person;
    source = 'confirmed';
  } else if (row.label_state === 'auto') {
    name = row.predicted_person;
    source = 'auto';
  } else return undefined;
  if (name === null) return undefined;
  const rect = { cx: row.cx, cy: row.cy, width: row.width, height: row.height, angle: row.angle };
  const box = pixelBox(rect, displayed);
  if (!box) return undefined;
  return { faceId: row.id, name, source, value: row.decision_value, rect, box };
}

/** The rect's bounding box snapped to whole pixels and clipped, as the sidecar writer does. */
export function pixelBox(
  rect: PluginFace['rect'],
  image: { readonly width: number; readonly height: number },
): PluginBox | undefined {
  const b = boundingBox(rect);
  const left = clamp(Math.round(b.x), 0, image.width);
  const top = clamp(Math.round(b.y), 0, image.height);
  const right = clamp(Math.round(b.x + b.width), 0, image.width);
  const bottom = clamp(Math.round(b.y + b.height), 0, image.height);
  if (right <= left || bottom <= top) return undefined;
  return { x: left, y: top, width: right - left, height: bottom - top };
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
