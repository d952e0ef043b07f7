/** Photos: their faces, and the photo with the faces drawn. */
import { Router } from 'express';
import { facesOfPhoto } from '../../store/faces.js';
import { photoById } from '../../store/photos.js';
import { DecodeError } from '../../vision/decode.js';
import { renderAnnotated } from '../annotated-photo.js';
import type { HttpApiDeps } from '../deps.js';
import { HttpError, notFound } from '../errors.js';
import { libraryFile } from '../library-file.js';
import { parseId } from '../validate.js';
import { faceView, photoView } from '../views.js';

/** Renders in flight at once: each decodes a whole photo; more would only queue behind libvips. */
const MAX_RENDERS = 2;
const DEFAULT_MAX_PIXELS = 100_000_000;

export function photoRoutes(deps: HttpApiDeps): Router {
  const { db } = deps;
  const router = Router();
  let rendering = 0;

  router.get('/api/photos/:id/faces', (req, res) => {
    const id = parseId(req.params.id, 'photo id');
    const photo = photoById(db, id);
    if (!photo) throw notFound(`photo ${id}`);
    res.json({ photo: photoView(photo), faces: facesOfPhoto(db, id).map(faceView) });
  });

  router.get('/api/photos/:id/annotated', async (req, res) => {
    const id = parseId(req.params.id, 'photo id');
    const photo = photoById(db, id);
    if (!photo || photo.status === 'removed') throw notFound(`photo ${id}`);
    // The same 404 for "outside the library" as for "missing": the answer says nothing about other files.
    const file = await libraryFile(photo.path, deps.photoRoots);
    if (file === undefined) throw notFound(`file of photo ${id}`);
    if (rendering >= MAX_RENDERS) {
      res.set('Retry-After', '1');
      throw new HttpError(503, 'busy drawing other photos; try again shortly');
    }
    rendering++;
    try {
      const jpeg = await renderAnnotated(file, facesOfPhoto(db, id), deps.maxPixels ?? DEFAULT_MAX_PIXELS);
      res.set('Cache-Control', 'private, no-cache').type('image/jpeg').send(jpeg);
    } catch (err) {
      if (err instanceof DecodeError) throw new HttpError(422, `photo ${id} cannot be decoded (${err.reason})`);
      throw err;
    } finally {
      rendering--;
    }
  });

  return router;
}
