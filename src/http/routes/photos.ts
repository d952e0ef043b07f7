/** Photos: the list, their faces, the photo (plain, with the faces drawn, or a thumbnail), and faces drawn by hand. */
import { join } from 'node:path';
import { type Request, type Response, Router } from 'express';
import type { Labelling } from '../../labelling/labelling.js';
import { PHOTO_THUMB_VARIANT, renderPhotoThumb } from '../../pipeline/photo-thumb.js';
import { facesOfPhoto, personById } from '../../store/faces.js';
import { type ListPosition, listPhotos, listPosition } from '../../store/photo-list.js';
import { type PhotoRow, photoById } from '../../store/photos.js';
import { createThumbCache } from '../../store/thumb-cache.js';
import { DecodeError } from '../../vision/decode.js';
import { renderAnnotated } from '../annotated-photo.js';
import type { HttpApiDeps } from '../deps.js';
import { HttpError, notFound, refused } from '../errors.js';
import { libraryFile } from '../library-file.js';
import { drawnFaceBody, encodePhotoCursor, parseBody, parseId, parseQuery, photoListQuery } from '../validate.js';
import { faceView, photoView } from '../views.js';

/** Renders in flight at once: each decodes a whole photo; more would only queue behind libvips. */
const MAX_RENDERS = 2;
/**
 * Thumbnails have their own slots, so a grid never waits behind large renders (nor they behind
 * it), and a short queue: a browser asks for ~6 at a time per server, which wait their turn
 * rather than come back; beyond the queue the answer is 503 with Retry-After.
 */
const MAX_THUMB_RENDERS = 2;
const MAX_THUMB_WAITING = 12;
/** Thumbs kept on disk: ~14 KB each (pipeline/photo-thumb.ts), so about 37,000 photos' worth. */
const THUMB_CACHE_BYTES = 512 * 1024 * 1024;
/**
 * The thumb URL names a photo, whose bytes can change (an edited file); the ETag names the bytes.
 * A day of freshness spares the grid's revalidations when scrolling back; after it, a 304.
 */
const THUMB_MAX_AGE_SECONDS = 86_400;
const DEFAULT_MAX_PIXELS = 100_000_000;

/** Whether an If-None-Match header names `etag` (weak comparison, as RFC 9110 asks for GET). Pure. */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(etag));
}

/** A counting gate with a bounded queue: undefined when full (the caller answers 503). */
function gate(slots: number, maxWaiting: number) {
  let busy = 0;
  const waiting: (() => void)[] = [];
  return {
    async enter(): Promise<(() => void) | undefined> {
      if (busy >= slots) {
        if (waiting.length >= maxWaiting) return undefined;
        await new Promise<void>((resolve) => waiting.push(resolve));
      } else busy++;
      let left = false;
      return () => {
        if (left) return;
        left = true;
        const next = waiting.shift();
        // The slot passes straight to the next in line.
        if (next) next();
        else busy--;
      };
    },
  };
}

export function photoRoutes(deps: HttpApiDeps, labelling: Labelling): Router {
  const { db } = deps;
  const router = Router();
  let rendering = 0;
  const thumbGate = gate(MAX_THUMB_RENDERS, MAX_THUMB_WAITING);
  const thumbs = createThumbCache(db, {
    dir: join(deps.dataDir, 'thumbs'),
    variant: PHOTO_THUMB_VARIANT,
    maxBytes: THUMB_CACHE_BYTES,
  });
  /** Renders under way by content hash: a second request for one waits for it. */
  const inFlight = new Map<string, Promise<Buffer>>();

  router.get('/api/photos', (req, res) => {
    const q = parseQuery(photoListQuery, req.query);
    let after: ListPosition | undefined = q.cursor;
    if (typeof q.before === 'object') after = q.before;
    else if (q.before !== 0) {
      after = listPosition(db, q.before);
      if (!after) throw new HttpError(400, `invalid query: before: photo ${q.before} is not listed; page with cursor`);
    }
    if (q.person !== undefined && !personById(db, q.person)) throw notFound(`person ${q.person}`);
    const photos = listPhotos(db, {
      limit: q.limit,
      faceless: q.faces === 'none',
      ...(after ? { after } : {}),
      ...(q.person !== undefined ? { person: { id: q.person, which: q.which ?? 'confirmed' } } : {}),
    });
    // A full page may have more after it; a short one is the end.
    const last = photos.length === q.limit ? photos[photos.length - 1] : undefined;
    res.json({ photos, next: last ? encodePhotoCursor({ at: last.takenAt, id: last.id }) : null });
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

  /** The thumb's JPEG: from the cache, or rendered (in its own slots) and kept when the bytes are known. */
  async function thumbOf(id: number, file: string, hash: string | null, res: Response): Promise<Buffer> {
    const cached = hash === null ? undefined : await thumbs.get(hash);
    if (cached) return cached;
    const pending = hash === null ? undefined : inFlight.get(hash);
    if (pending) return pending;
    const leave = await thumbGate.enter();
    if (!leave) {
      res.set('Retry-After', '1');
      throw new HttpError(503, 'busy making other thumbnails; try again shortly');
    }
    const render = (async () => {
      try {
        const jpeg = await renderPhotoThumb(file, deps.maxPixels ?? DEFAULT_MAX_PIXELS);
        if (hash !== null) await thumbs.put(hash, jpeg);
        return jpeg;
      } catch (err) {
        if (err instanceof DecodeError) throw new HttpError(422, `photo ${id} cannot be decoded (${err.reason})`);
        throw err;
      } finally {
        leave();
        if (hash !== null) inFlight.delete(hash);
      }
    })();
    if (hash !== null) inFlight.set(hash, render);
    return render;
  }

  router.get('/api/photos/:id/thumb', async (req: Request, res) => {
    const id = parseId(req.params.id, 'photo id');
    const { file, photo } = await fileOf(id);
    // Only an analysed path's bytes are known to be its content's: otherwise render and do not keep.
    const hash = photo.status === 'done' ? photo.hash : null;
    if (hash === null) {
      res.set('Cache-Control', 'private, no-cache');
    } else {
      res.set({
        ETag: `"${hash}-${PHOTO_THUMB_VARIANT}"`,
        'Cache-Control': `private, max-age=${THUMB_MAX_AGE_SECONDS}`,
      });
      // Not req.fresh: it ignores a match when the request says Cache-Control: no-cache, which
      // fetch() adds to every conditional request; the origin answers If-None-Match regardless.
      if (etagMatches(req.get('If-None-Match'), `"${hash}-${PHOTO_THUMB_VARIANT}"`)) {
        res.status(304).end();
        return;
      }
    }
    res.type('image/jpeg').send(await thumbOf(id, file, hash, res));
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
    const r = labelling.addDrawnFace({
      photoId: id,
      box,
      person,
      chip: chip.chip,
      chipPadding: chip.padding,
      thumb: chip.thumb,
    });
    if (!r.ok) throw refused(r.problem);
    res.status(201).json({ face: faceView(r.face) });
  });

  return router;
}
