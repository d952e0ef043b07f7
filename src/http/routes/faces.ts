/** Faces: the face's picture, and labelling (confirm, name, reject, ignore, not a face, clear). */
import { Router } from 'express';
import type { Db } from '../../store/db.js';
import { facePicture } from '../../store/face-thumbs.js';
import { faceById, type LabelAction, setFaceLabel } from '../../store/faces.js';
import { labelFaces, recentLabelActions, undoLabelAction } from '../../store/label-actions.js';
import { personByName } from '../../store/persons.js';
import type { HttpApiDeps } from '../deps.js';
import { HttpError, notFound } from '../errors.js';
import { bulkLabelBody, type LabelBody, labelBody, parseBody, parseId } from '../validate.js';
import { faceView } from '../views.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const JPEG_SIGNATURE = Buffer.from([0xff, 0xd8, 0xff]);

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
    // The colour picture once made (v6), else the grey chip the models read.
    const picture = facePicture(db, id);
    if (!picture) throw notFound(faceById(db, id) ? `chip of face ${id}` : `face ${id}`);
    // Nothing is sent under an image type it is not.
    const signature = picture.kind === 'jpeg' ? JPEG_SIGNATURE : PNG_SIGNATURE;
    if (!picture.bytes.subarray(0, signature.length).equals(signature)) {
      throw new Error(`face ${id}: stored picture is not a ${picture.kind.toUpperCase()}`);
    }
    // A re-detection (or the filler) replaces a face's picture in place: revalidate (express adds
    // an ETag of the bytes, so the grey chip and the colour picture never share one).
    res
      .set('Cache-Control', 'private, no-cache')
      .type(picture.kind === 'jpeg' ? 'image/jpeg' : 'image/png')
      .send(picture.bytes);
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
    deps.labelChanges.publish({ kind: 'faces-labelled', faceIds: [id] });
    res.json({ face: faceView(r.face) });
  });

  // Many faces at once (a whole cluster): one transaction, and one undo for all of them.
  router.post('/api/faces/label', (req, res) => {
    const { faces, ...body } = parseBody(bulkLabelBody, req.body);
    const action = labelAction(db, body);
    const r = labelFaces(db, faces, action, bulkSummary(body, faces.length), deps.now());
    if (!r.ok) {
      if (r.code === 'face-not-found') throw notFound(`face ${r.faceId}`);
      if (r.code === 'nothing-to-reject') throw new HttpError(409, `face ${r.faceId} has no suggestion to reject`);
      throw new HttpError(400, 'invalid person name');
    }
    deps.labelChanges.publish({ kind: 'faces-labelled', faceIds: faces });
    res.json({ actionId: r.actionId, labelled: r.labelled });
  });

  router.get('/api/label-actions', (_req, res) => {
    res.json({
      actions: recentLabelActions(db, 20).map((a) => ({
        id: a.id,
        summary: a.summary,
        faces: a.faces,
        at: a.created_at,
      })),
    });
  });

  router.post('/api/label-actions/:id/undo', (req, res) => {
    const id = parseId(req.params.id, 'action id');
    const r = undoLabelAction(db, id, deps.now());
    if (!r.ok) {
      if (r.code === 'not-found') throw notFound(`action ${id}`);
      throw new HttpError(409, `action ${id} was undone already`);
    }
    deps.labelChanges.publish({ kind: 'label-action-undone', actionId: id });
    res.json({ restored: r.restored, kept: r.kept });
  });

  // "Not this person": out of its cluster for good (it starts one of its own).
  router.post('/api/faces/:id/uncluster', (req, res) => {
    const id = parseId(req.params.id, 'face id');
    if (!faceById(db, id)) throw notFound(`face ${id}`);
    if (!deps.clusters)
      throw new HttpError(409, 'faces are grouped by likeness under the cascade engine, not clustered');
    const clusterId = deps.clusters.takeOut(id);
    if (clusterId === undefined) throw new HttpError(409, `face ${id} is in no cluster`);
    res.json({ clusterId });
  });

  return router;
}

/** What a bulk action did, in the words the page shows beside its undo button. */
function bulkSummary(body: LabelBody, count: number): string {
  const faces = count === 1 ? '1 face' : `${count} faces`;
  switch (body.action) {
    case 'confirm':
    case 'name':
      return `${faces} named ${body.person}`;
    case 'reject':
      return `${faces} rejected`;
    case 'not_a_face':
      return `${faces} marked not a face`;
    case 'ignore':
      return `${faces} ignored`;
    case 'clear':
      return `${faces} cleared`;
  }
}
