/**
 * Faces a person drew because the detector missed them. They are stored like detected faces
 * (box, stored chip) but born confirmed, with strength 0: a re-detection keeps them, because
 * writeFaces never deletes a labelled face, and matches them to a detection where one overlaps.
 */

import { normalisePersonName } from '../names/person-name.js';
import { type Db, prepared, writeTransaction } from './db.js';
import { ensurePerson, type FaceRow, faceById } from './faces.js';
import { announceContent } from './outbox.js';
import { photoById } from './photos.js';

export interface ManualFace {
  readonly photoId: number;
  /** Upright box in the photo's oriented full-resolution frame. */
  readonly box: { readonly x: number; readonly y: number; readonly width: number; readonly height: number };
  readonly person: string;
  /** The stored chip (PNG) and the margin it was cut with. */
  readonly chip: Uint8Array;
  readonly chipPadding: number;
  /** The same crop in colour (JPEG), shown to people. */
  readonly thumb?: Uint8Array | null;
}

export type ManualFaceResult =
  | { readonly ok: true; readonly face: FaceRow }
  | { readonly ok: false; readonly code: 'photo-not-found' | 'photo-not-analysed' | 'invalid-person-name' };

/** Add a drawn face, named, in one transaction with its announcement (sidecars and plugins follow). */
export function addManualFace(db: Db, face: ManualFace, now: number): ManualFaceResult {
  return writeTransaction(db, (): ManualFaceResult => {
    const photo = photoById(db, face.photoId);
    if (!photo || photo.status === 'removed') return { ok: false, code: 'photo-not-found' };
    // Faces belong to a content: a photo not hashed and analysed yet has none to hold them.
    if (photo.content_id === null) return { ok: false, code: 'photo-not-analysed' };
    const name = normalisePersonName(face.person);
    if (name === undefined) return { ok: false, code: 'invalid-person-name' };
    const personId = ensurePerson(db, name, now);
    const { x, y, width, height } = face.box;
    const info = prepared(
      db,
      `INSERT INTO faces (content_id, cx, cy, width, height, angle, strength, chip, chip_padding, thumb,
                          label_state, person_id, labelled_at, created_at, updated_at)
       VALUES (@content, @cx, @cy, @width, @height, 0, 0, @chip, @padding, @thumb, 'confirmed', @person, @now, @now, @now)`,
    ).run({
      content: photo.content_id,
      cx: x + width / 2,
      cy: y + height / 2,
      width,
      height,
      chip: Buffer.from(face.chip.buffer, face.chip.byteOffset, face.chip.byteLength),
      padding: face.chipPadding,
      thumb: face.thumb ? Buffer.from(face.thumb.buffer, face.thumb.byteOffset, face.thumb.byteLength) : null,
      person: personId,
      now,
    });
    announceContent(db, photo.content_id, 'labelled', now);
    const row = faceById(db, Number(info.lastInsertRowid));
    if (!row) throw new Error('a drawn face vanished inside its own transaction');
    return { ok: true, face: row };
  });
}
