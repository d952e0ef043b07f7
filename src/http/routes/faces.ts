/** Faces: the stored chip image, and labelling (confirm, name, reject, ignore, not a face, clear). */
import { Router } from 'express';
import type { Db } from '../../store/db.js';
import { faceById, faceChip, type LabelAction, setFaceLabel } from '../../store/faces.js';
import { personByName } from '../../store/persons.js';
import type { HttpApiDeps } from '../deps.js';
import { HttpError, notFound } from '../errors.js';
import { type LabelBody, labelBody, parseBody, parseId } from '../validate.js';
import { faceView } from '../views.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function existingPerson(db: Db, name: string): string {
  if (!personByName(db, name)) {
    throw new HttpError(422, `no person is named ${JSON.stringify(name)}; the "name" action creates one`);
  }
  return name;
}

/** The store's action for a request. `confirm` and a named `reject` refer to existing persons only. */
function labelAction(db: Db, body: LabelBody): LabelAction {
  switch (body.action) {
    case 'confirm':
      return { state: 'confirmed', person: existingPerson(db, body.person) };
    case 'name':
      return { state: 'confirmed', person: body.person };
    case 'reject':
      return body.person === undefined
        ? { state: 'rejected' }
        : { state: 'rejected', person: existingPerson(db, body.person) };
    case 'not_a_face':
      return { state: 'not_a_face' };
    case 'ignore':
      return { state: 'ignored' };
    case 'clear':
      return { state: 'auto' };
  }
}

export function faceRoutes(deps: HttpApiDeps): Router {
  const { db } = deps;
  const router = Router();

  router.get('/api/faces/:id/chip', (req, res) => {
    const id = parseId(req.params.id, 'face id');
    const chip = faceChip(db, id);
    if (!chip) throw notFound(faceById(db, id) ? `chip of face ${id}` : `face ${id}`);
    // Chips are stored as PNG; anything else is not sent under an image type it is not.
    if (!chip.chip.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error(`face ${id}: stored chip is not a PNG`);
    // A re-detection replaces a face's chip in place: revalidate (express adds an ETag).
    res.set('Cache-Control', 'private, no-cache').type('image/png').send(chip.chip);
  });

  router.post('/api/faces/:id/label', (req, res) => {
    const id = parseId(req.params.id, 'face id');
    const body = parseBody(labelBody, req.body);
    if (!faceById(db, id)) throw notFound(`face ${id}`);
    const r = setFaceLabel(db, id, labelAction(db, body), deps.now());
    if (!r.ok) {
      if (r.code === 'face-not-found') throw notFound(`face ${id}`);
      if (r.code === 'nothing-to-reject') throw new HttpError(409, `face ${id} has no suggestion to reject`);
      throw new HttpError(400, 'invalid person name');
    }
    deps.onLabelsChanged();
    res.json({ face: faceView(r.face) });
  });

  return router;
}
