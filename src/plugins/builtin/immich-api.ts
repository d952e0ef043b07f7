/**
 * The Immich REST calls the immich plugin makes, as ../shared/specs/gallery-interop.md §4.1 lists
 * them (base `/api`, header `x-api-key`), with the answers checked. Only the fields used are
 * required; Immich adds fields from version to version. Each call names the API key permission
 * Immich checks for it (server/src/controllers: `@Authenticated({ permission })`), so a 403 says
 * which one the key lacks.
 */
import * as z from 'zod';
import { apiUrl, HttpError, send, sendJson } from './http.js';

/** The permissions the plugin's calls need, and what a user can do instead of granting one. */
export const IMMICH_PERMISSIONS = {
  'asset.read': 'find the asset',
  'person.read': 'find persons by name',
  'person.create': 'create persons (or set createFaces: false)',
  'face.read': "read the asset's faces (or set createFaces: false)",
  'face.create': 'add face boxes (or set createFaces: false)',
  'face.update': 'give an unnamed face our person (or set createFaces: false)',
  'job.create': 'queue refresh-metadata (or set refreshMetadata: false)',
} as const;
type Permission = keyof typeof IMMICH_PERMISSIONS;

/** `call`, with a 403 turned into the permission the key lacks (Immich: "Missing required permission"). */
async function needing<T>(permission: Permission, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!(err instanceof HttpError) || err.status !== 403) throw err;
    const what = err.message.split(': HTTP')[0];
    throw new HttpError(
      `${what}: HTTP 403: the Immich API key lacks the ${permission} permission, needed to ${IMMICH_PERMISSIONS[permission]}`,
      403,
    );
  }
}

const person = z.object({ id: z.string().min(1), name: z.string() });
export type ImmichPerson = z.infer<typeof person>;

const asset = z.object({ id: z.string().min(1), originalPath: z.string().optional() });
const searchResponse = z.object({ assets: z.object({ items: z.array(asset) }) });

const face = z.object({
  id: z.string().min(1),
  // 0 is allowed by Immich's spec (size not known); the plugin then uses the photo's own size.
  imageWidth: z.number().nonnegative(),
  imageHeight: z.number().nonnegative(),
  boundingBoxX1: z.number(),
  boundingBoxY1: z.number(),
  boundingBoxX2: z.number(),
  boundingBoxY2: z.number(),
  person: person.nullable().optional(),
  sourceType: z.string().optional(),
});
export type ImmichFace = z.infer<typeof face>;

/** `POST /api/faces` (AssetFaceCreateDto, v1.127.0+): a box in the oriented image's pixels. */
export interface ImmichFaceCreate {
  readonly assetId: string;
  readonly personId: string;
  readonly imageWidth: number;
  readonly imageHeight: number;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export class ImmichApi {
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
  ) {}

  #headers() {
    return { 'x-api-key': this.apiKey };
  }

  #get<T>(
    permission: Permission,
    path: string,
    query: Record<string, string>,
    schema: z.ZodType<T>,
    signal: AbortSignal,
  ) {
    const url = apiUrl(this.baseUrl, path, query);
    return needing(permission, () => sendJson({ method: 'GET', url, headers: this.#headers(), signal }, schema));
  }

  #post<T>(permission: Permission, path: string, body: unknown, schema: z.ZodType<T>, signal: AbortSignal) {
    const url = apiUrl(this.baseUrl, path);
    return needing(permission, () => sendJson({ method: 'POST', url, headers: this.#headers(), body, signal }, schema));
  }

  async #write(permission: Permission, method: 'POST' | 'PUT', path: string, body: unknown, signal: AbortSignal) {
    const url = apiUrl(this.baseUrl, path);
    await needing(permission, () => send({ method, url, headers: this.#headers(), body, signal }));
  }

  /** Asset ids whose original is at `originalPath` exactly (the search itself may match loosely). */
  async assetsByPath(originalPath: string, signal: AbortSignal): Promise<string[]> {
    const res = await this.#post('asset.read', '/api/search/metadata', { originalPath }, searchResponse, signal);
    return res.assets.items
      .filter((a) => a.originalPath === undefined || a.originalPath === originalPath)
      .map((a) => a.id);
  }

  /** Asset ids with this checksum (Immich's SHA-1, base64). */
  async assetsByChecksum(checksum: string, signal: AbortSignal): Promise<string[]> {
    const res = await this.#post('asset.read', '/api/search/metadata', { checksum }, searchResponse, signal);
    return res.assets.items.map((a) => a.id);
  }

  searchPersons(name: string, signal: AbortSignal): Promise<ImmichPerson[]> {
    return this.#get('person.read', '/api/search/person', { name, withHidden: 'true' }, z.array(person), signal);
  }

  createPerson(name: string, signal: AbortSignal): Promise<ImmichPerson> {
    return this.#post('person.create', '/api/people', { name }, person, signal);
  }

  /** The asset's faces (the `id` query parameter is the asset id, spec §4.1). */
  facesOfAsset(assetId: string, signal: AbortSignal): Promise<ImmichFace[]> {
    return this.#get('face.read', '/api/faces', { id: assetId }, z.array(face), signal);
  }

  createFace(body: ImmichFaceCreate, signal: AbortSignal): Promise<void> {
    return this.#write('face.create', 'POST', '/api/faces', body, signal);
  }

  /** Moves face `faceId` to person `personId` (path: the person; body: the face). */
  reassignFace(personId: string, faceId: string, signal: AbortSignal): Promise<void> {
    return this.#write('face.update', 'PUT', `/api/faces/${encodeURIComponent(personId)}`, { id: faceId }, signal);
  }

  /** Re-runs metadata extraction, which re-reads the asset's linked sidecar. */
  refreshMetadata(assetIds: readonly string[], signal: AbortSignal): Promise<void> {
    return this.#write('job.create', 'POST', '/api/assets/jobs', { assetIds, name: 'refresh-metadata' }, signal);
  }
}
