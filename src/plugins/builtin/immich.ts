/**
 * `immich`: puts facetag's named faces on the matching Immich asset through Immich's API (spec
 * §4.1, "API path"), then queues `refresh-metadata` so Immich re-reads the asset's sidecar (the
 * "sidecar path", when the xmp plugin runs too). Idempotent without storing Immich ids: a face whose
 * box overlaps one Immich already has (IoU ≥ 0.5) is not created again; an unnamed Immich face there
 * is given our person; a face Immich already names otherwise is left as Immich's user set it.
 *
 * A photo Immich has not indexed yet is retried later (not a failure; parked after
 * giveUpAfterAttempts), an asset that vanished on the way is that photo's failure, and "busy" (429)
 * waits for Retry-After (gallery-errors.ts). Removals are Immich's own business: its library scan
 * notices a missing file.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import * as z from 'zod';
import type { Logger } from '../../core/logger.js';
import { definePlugin, type PhotoTaggedEvent, PLUGIN_API_VERSION, type PluginFace } from '../api.js';
import { facesToWrite, mapPath, overlap, pathMapOption, policyOptions, SAME_FACE_IOU, sameName } from './common.js';
import { galleryError } from './gallery-errors.js';
import type { HttpError } from './http.js';
import { IMMICH_PERMISSIONS, ImmichApi, type ImmichFace } from './immich-api.js';

export const immichOptionsSchema = z.strictObject({
  baseUrl: z.url({ protocol: /^https?$/ }).describe('Immich server, e.g. http://immich:2283 (without /api).'),
  apiKey: z
    .string()
    .min(1)
    .describe(
      `An Immich API key (Account settings → API keys) with the permissions ${Object.keys(IMMICH_PERMISSIONS).join(', ')} (job.create for refreshMetadata).`,
    ),
  pathMap: pathMapOption,
  matchByChecksum: z
    .boolean()
    .default(true)
    .describe("Also find the asset by the file's SHA-1 when its path is not known to Immich (uploaded assets)."),
  createFaces: z.boolean().default(true).describe('Create persons and face boxes through the API.'),
  refreshMetadata: z.boolean().default(true).describe("Queue Immich's refresh-metadata job for the asset afterwards."),
  ...policyOptions,
});
type ImmichOptions = z.infer<typeof immichOptionsSchema>;

export const immichPlugin = definePlugin({
  name: 'immich',
  apiVersion: PLUGIN_API_VERSION,
  optionsSchema: immichOptionsSchema,
  create(options, ctx) {
    const api = new ImmichApi(options.baseUrl, options.apiKey);
    const persons = new PersonCache(api);

    const findAsset = async (event: PhotoTaggedEvent, signal: AbortSignal): Promise<string | undefined> => {
      const byPath = await api.assetsByPath(mapPath(event.path, options.pathMap), signal);
      if (byPath.length > 0) return byPath[0];
      if (!options.matchByChecksum) return undefined;
      const byChecksum = await api.assetsByChecksum(await sha1Base64(event.path, signal), signal);
      return byChecksum[0];
    };

    const deliver = async (event: PhotoTaggedEvent, signal: AbortSignal): Promise<void> => {
      if (event.detectedFaces === 0) return; // nothing to show, nothing changed in a sidecar
      const assetId = await findAsset(event, signal);
      if (assetId === undefined) throw ctx.retryLater(`${event.path} is not in Immich (yet)`);
      if (options.createFaces) {
        try {
          await putFaces(api, persons, assetId, event, options, signal, ctx.log);
        } catch (err) {
          persons.clear(); // a person deleted or merged in Immich must be looked up again
          throw err;
        }
      }
      if (options.refreshMetadata) await api.refreshMetadata([assetId], signal);
    };

    return {
      async photoTagged(event, signal) {
        try {
          await deliver(event, signal);
        } catch (err) {
          throw galleryError(err, ctx, assetGone);
        }
      },
      async photoRemoved() {
        // Immich's own library scan marks the asset offline; see the file comment.
      },
    };
  },
});

/** Immich answers 400 "Not found or no … access" (or 404) for an asset that is not there (any more). */
function assetGone(err: HttpError): boolean {
  return err.status === 404 || (err.status === 400 && /not found/i.test(err.message));
}

async function putFaces(
  api: ImmichApi,
  persons: PersonCache,
  assetId: string,
  event: PhotoTaggedEvent,
  options: ImmichOptions,
  signal: AbortSignal,
  log: Logger,
): Promise<void> {
  const faces = facesToWrite(event.faces, options);
  if (faces.length === 0) return;
  const existing = await api.facesOfAsset(assetId, signal);
  for (const face of faces) {
    const match = existing.find((e) => overlap(immichArea(e, event), ourArea(face, event)) >= SAME_FACE_IOU);
    const current = match?.person?.name ?? '';
    if (match && sameName(current, face.name)) continue;
    if (match && current !== '') {
      log.debug('Immich names this face otherwise; left as it is', { assetId, faceId: face.faceId, immich: current });
      continue;
    }
    const personId = await persons.idOf(face.name, signal);
    if (match) {
      await api.reassignFace(personId, match.id, signal);
    } else {
      const { x, y, width, height } = face.box;
      const { width: imageWidth, height: imageHeight } = event.displayed;
      await api.createFace({ assetId, personId, imageWidth, imageHeight, x, y, width, height }, signal);
    }
  }
}

/** An Immich face as fractions of its image; a size of 0 (unknown, allowed by the spec) means the photo's own. */
function immichArea(f: ImmichFace, event: PhotoTaggedEvent) {
  const width = f.imageWidth > 0 ? f.imageWidth : event.displayed.width;
  const height = f.imageHeight > 0 ? f.imageHeight : event.displayed.height;
  return {
    x: f.boundingBoxX1 / width,
    y: f.boundingBoxY1 / height,
    w: (f.boundingBoxX2 - f.boundingBoxX1) / width,
    h: (f.boundingBoxY2 - f.boundingBoxY1) / height,
  };
}

function ourArea(f: PluginFace, event: PhotoTaggedEvent) {
  const { width, height } = event.displayed;
  return { x: f.box.x / width, y: f.box.y / height, w: f.box.width / width, h: f.box.height / height };
}

/**
 * Person ids by name (Immich matches names case-insensitively). One lookup per name at a time, so
 * two photos delivered together cannot both create the same new person.
 */
class PersonCache {
  readonly #ids = new Map<string, Promise<string>>();
  constructor(private readonly api: ImmichApi) {}

  clear(): void {
    this.#ids.clear();
  }

  idOf(name: string, signal: AbortSignal): Promise<string> {
    const key = name.toLowerCase();
    let id = this.#ids.get(key);
    if (!id) {
      id = this.#lookup(name, signal);
      this.#ids.set(key, id);
      id.catch(() => this.#ids.delete(key)); // a failed lookup is tried again next time
    }
    return id;
  }

  async #lookup(name: string, signal: AbortSignal): Promise<string> {
    const found = (await this.api.searchPersons(name, signal)).find((p) => sameName(p.name, name));
    return found ? found.id : (await this.api.createPerson(name, signal)).id;
  }
}

/** Immich's checksum of a file: SHA-1, base64 (28 characters). */
async function sha1Base64(path: string, signal: AbortSignal): Promise<string> {
  const hash = createHash('sha1');
  for await (const chunk of createReadStream(path, { signal })) hash.update(chunk);
  return hash.digest('base64');
}
