/** Faces: the face's picture, and labelling (confirm, name, reject, ignore, not a face, clear). */
import { Router } from 'express';
import type { Labelling } from '../../labelling/labelling.js';
import { facePicture } from '../../store/face-thumbs.js';
import { faceById, recentLabelActions } from '../../store/faces.js';
import type { HttpApiDeps } from '../deps.js';
import { HttpError, notFound, refused } from '../errors.js';
import { bulkLabelBody, labelBody, parseBody, parseId } from '../validate.js';
import { faceView } from '../views.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const JPEG_SIGNATURE = Buffer.from([0xff, 0xd8, 0xff]);

export function faceRoutes(deps: HttpApiDeps, labelling: Labelling): Router {
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
    const r = labelling.label(id, parseBody(labelBody, req.body));
    if (!r.ok) throw refused(r.problem);
    res.json({ face: faceView(r.face) });
  });

  // Many faces at once (a whole cluster): one transaction, and one undo for all of them.
  router.post('/api/faces/label', (req, res) => {
    const { faces, ...request } = parseBody(bulkLabelBody, req.body);
    const r = labelling.labelMany(faces, request);
    if (!r.ok) throw refused(r.problem);
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
    const r = labelling.undo(parseId(req.params.id, 'action id'));
    if (!r.ok) throw refused(r.problem);
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
