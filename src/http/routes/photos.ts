/** Photos: their faces, the photo (plain or with the faces drawn), and faces drawn by hand. */
import { type Response, Router } from 'express';
import { facesOfPhoto } from '../../store/faces.js';
import { addManualFace } from '../../store/manual-faces.js';
import { listPhotos } from '../../store/photo-list.js';
import { type PhotoRow, photoById } from '../../store/photos.js';
import { DecodeError } from '../../vision/decode.js';
import { renderAnnotated } from '../annotated-photo.js';
import type { HttpApiDeps } from '../deps.js';
import { HttpError, notFound } from '../errors.js';
import { libraryFile } from '../library-file.js';
import { drawnFaceBody, parseBody, parseId, parseQuery, photoListQuery } from '../validate.js';
import { faceView, photoView } from '../views.js';

/** Renders in flight at once: each decodes a whole photo; more would only queue behind libvips. */
const MAX_RENDERS = 2;
const DEFAULT_MAX_PIXELS = 100_000_000;

export function photoRoutes(deps: HttpApiDeps): Router {
  const { db } = deps;
  const router = Router();
  let rendering = 0;

  router.get('/api/photos', (req, res) => {
    const q = parseQuery(photoListQuery, req.query);
    const photos = listPhotos(db, { beforeId: q.before, limit: q.limit, faceless: q.faces === 'none' });
    // A full page may have more after it; a short one is the end.
    res.json({ photos, next: photos.length === q.limit ? photos[photos.length - 1].id : null });
  });

  router.get('/api/photos/:id/faces', (req, res) => {
    const id = parseId(req.params.id, 'photo id');
    const photo = photoById(db, id);
    if (!photo) throw notFound(`photo ${id}`);
    res.json({ photo: photoView(photo), faces: facesOfPhoto(db, id).map(faceView) });
  });

  /** The photo's file, if it is still in the library; 404 otherwise (the same answer either way). */
  async function fileOf(id: number): Promise<{ file: string; photo: PhotoRow }> {
    const photo = photoById(db, id);
    if (!photo || photo.status === 'removed') throw notFound(`photo ${id}`);
    // The same 404 for "outside the library" as for "missing": the answer says nothing about other files.
    const file = await libraryFile(photo.path, deps.photoRoots);
    if (file === undefined) throw notFound(`file of photo ${id}`);
    return { file, photo };
  }

  /** At most MAX_RENDERS decodes at once; a decode failure is the photo's fault (422), named. */
  async function decoding<T>(id: number, res: Response, work: () => Promise<T>): Promise<T> {
    if (rendering >= MAX_RENDERS) {
      res.set('Retry-After', '1');
      throw new HttpError(503, 'busy decoding other photos; try again shortly');
    }
    rendering++;
    try {
      return await work();
    } catch (err) {
      if (err instanceof DecodeError) throw new HttpError(422, `photo ${id} cannot be decoded (${err.reason})`);
      throw err;
    } finally {
      rendering--;
    }
  }

  const sendJpeg = (res: Response, jpeg: Buffer) =>
    res.set('Cache-Control', 'private, no-cache').type('image/jpeg').send(jpeg);

  router.get('/api/photos/:id/annotated', async (req, res) => {
    const id = parseId(req.params.id, 'photo id');
    const { file } = await fileOf(id);
    const maxPixels = deps.maxPixels ?? DEFAULT_MAX_PIXELS;
    sendJpeg(res, await decoding(id, res, () => renderAnnotated(file, facesOfPhoto(db, id), maxPixels)));
  });

  // The photo view draws boxes itself (so a new one can be drawn on top): the plain photo.
  router.get('/api/photos/:id/image', async (req, res) => {
    const id = parseId(req.params.id, 'photo id');
    const { file } = await fileOf(id);
    sendJpeg(res, await decoding(id, res, () => renderAnnotated(file, [], deps.maxPixels ?? DEFAULT_MAX_PIXELS)));
  });

  router.post('/api/photos/:id/faces', async (req, res) => {
    const id = parseId(req.params.id, 'photo id');
    const { box, person } = parseBody(drawnFaceBody, req.body);
    const { file, photo } = await fileOf(id);
    if (photo.width !== null && photo.height !== null) {
      if (box.x + box.width > photo.width || box.y + box.height > photo.height) {
        throw new HttpError(400, `the box must lie inside the photo (${photo.width}x${photo.height})`);
      }
    }
    const chip = await decoding(id, res, () => deps.drawnFaceChip(file, box));
    const r = addManualFace(db, { photoId: id, box, person, chip: chip.chip, chipPadding: chip.padding }, deps.now());
    if (!r.ok) {
      if (r.code === 'photo-not-found') throw notFound(`photo ${id}`);
      if (r.code === 'photo-not-analysed') throw new HttpError(409, `photo ${id} is not analysed yet`);
      throw new HttpError(400, 'invalid person name');
    }
    deps.onLabelsChanged();
    res.status(201).json({ face: faceView(r.face) });
  });

  return router;
}
