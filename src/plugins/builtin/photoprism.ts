/**
 * `photoprism`: puts facetag's named faces on the photo in PhotoPrism as face markers (spec §4.2).
 * Like the immich plugin it stores no PhotoPrism ids: a face whose area overlaps an existing face
 * marker (IoU ≥ 0.5) is not created again. An unnamed marker there gets our name; a marker
 * PhotoPrism named by itself gets the name a person confirmed in facetag; a name someone set in
 * PhotoPrism is left alone. Photos outside `originalsPath` are not PhotoPrism's and are skipped.
 * The file is matched by its exact name (photoprism-api.ts says why that takes care). "Busy" (429,
 * while another people update runs) waits for Retry-After; a photo, file or marker that is not
 * there (404) is that photo's failure; a photo not indexed yet is retried later (gallery-errors.ts).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import * as z from 'zod';
import type { Logger } from '../../core/logger.js';
import { definePlugin, type PhotoTaggedEvent, PLUGIN_API_VERSION } from '../api.js';
import { facesToWrite, overlap, pathUnder, policyOptions, SAME_FACE_IOU, sameName } from './common.js';
import { galleryError } from './gallery-errors.js';
import { PhotoPrismApi, type PhotoPrismFile } from './photoprism-api.js';

const optionsSchema = z.strictObject({
  baseUrl: z.url({ protocol: /^https?$/ }).describe('PhotoPrism server, e.g. http://photoprism:2342 (without /api).'),
  token: z.string().min(1).describe('An app password or access token with rights to edit files and people.'),
  authHeader: z
    .enum(['authorization', 'x-auth-token'])
    .default('authorization')
    .describe('Send the token as "Authorization: Bearer <token>" or as "X-Auth-Token: <token>".'),
  originalsPath: z.string().min(1).describe("PhotoPrism's originals folder as facetag sees it."),
  ...policyOptions,
});

export const photoprismPlugin = definePlugin({
  name: 'photoprism',
  apiVersion: PLUGIN_API_VERSION,
  optionsSchema,
  create(options, ctx) {
    const auth: Record<string, string> =
      options.authHeader === 'x-auth-token'
        ? { 'x-auth-token': options.token }
        : { authorization: `Bearer ${options.token}` };
    const api = new PhotoPrismApi(options.baseUrl, auth);
    const deliver = async (event: PhotoTaggedEvent, signal: AbortSignal): Promise<void> => {
      const faces = facesToWrite(event.faces, options);
      if (faces.length === 0) return; // markers are never removed here, so nothing to do
      const name = pathUnder(options.originalsPath, event.path);
      if (name === undefined || name === '') {
        ctx.log.debug('not under PhotoPrism originals; skipped', { path: event.path });
        return;
      }
      const found = await api.fileByName(name, () => sha1Hex(event.path, signal), signal);
      if (found === undefined) throw ctx.retryLater(`${name} is not indexed by PhotoPrism (yet)`);
      const photo = await api.photo(found.photoUid, signal);
      const file = photo.Files.find((f) => f.UID === found.fileUid);
      if (!file) throw ctx.photoFailed(`PhotoPrism photo ${found.photoUid} no longer has the file ${name}`);
      await putMarkers(api, file, event, faces, signal, ctx.log);
    };
    return {
      async photoTagged(event, signal) {
        try {
          await deliver(event, signal);
        } catch (err) {
          throw galleryError(err, ctx, (e) => e.status === 404);
        }
      },
      async photoRemoved() {
        // PhotoPrism's index notices a missing file itself.
      },
    };
  },
});

async function putMarkers(
  api: PhotoPrismApi,
  file: PhotoPrismFile,
  event: PhotoTaggedEvent,
  faces: ReturnType<typeof facesToWrite>,
  signal: AbortSignal,
  log: Logger,
): Promise<void> {
  const markers = (file.Markers ?? []).filter((m) => m.Type === 'face' && !m.Invalid);
  const { width, height } = event.displayed;
  for (const face of faces) {
    const area = {
      x: face.box.x / width,
      y: face.box.y / height,
      w: face.box.width / width,
      h: face.box.height / height,
    };
    const match = markers.find((m) => overlap({ x: m.X, y: m.Y, w: m.W, h: m.H }, area) >= SAME_FACE_IOU);
    if (!match) {
      await api.createMarker(
        {
          FileUID: file.UID,
          Type: 'face',
          Src: 'manual',
          X: area.x,
          Y: area.y,
          W: area.w,
          H: area.h,
          Name: face.name,
          SubjSrc: 'manual',
          MarkerReview: false,
          Invalid: false,
        },
        signal,
      );
    } else if (sameName(match.Name, face.name)) {
      // already says this
    } else if (match.Name === '' || (match.SubjSrc !== 'manual' && face.source === 'confirmed')) {
      await api.nameMarker(match.UID, face.name, signal);
    } else {
      log.debug('PhotoPrism names this face otherwise; left as it is', { marker: match.UID, photoprism: match.Name });
    }
  }
}

/** PhotoPrism's file hash: SHA-1, hex. */
async function sha1Hex(path: string, signal: AbortSignal): Promise<string> {
  const hash = createHash('sha1');
  for await (const chunk of createReadStream(path, { signal })) hash.update(chunk);
  return hash.digest('hex');
}
