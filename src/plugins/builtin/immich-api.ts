/**
 * The Immich REST calls the immich plugin makes, as ../shared/specs/gallery-interop.md §4.1 lists
 * them (base `/api`, header `x-api-key`), with the answers checked. Only the fields used are
 * required; Immich adds fields from version to version.
 */
import * as z from 'zod';
import { apiUrl, send, sendJson } from './http.js';

const person = z.object({ id: z.string().min(1), name: z.string() });
export type ImmichPerson = z.infer<typeof person>;

const asset = z.object({ id: z.string().min(1), originalPath: z.string().optional() });
const searchResponse = z.object({ assets: z.object({ items: z.array(asset) }) });

const face = z.object({
  id: z.string().min(1),
  imageWidth: z.number().positive(),
  imageHeight: z.number().positive(),
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

  /** Asset ids whose original is at `originalPath` exactly (the search itself may match loosely). */
  async assetsByPath(originalPath: string, signal: AbortSignal): Promise<string[]> {
    const res = await sendJson(
      {
        method: 'POST',
        url: apiUrl(this.baseUrl, '/api/search/metadata'),
        headers: this.#headers(),
        body: { originalPath },
        signal,
      },
      searchResponse,
    );
    return res.assets.items
      .filter((a) => a.originalPath === undefined || a.originalPath === originalPath)
      .map((a) => a.id);
  }

  /** Asset ids with this checksum (Immich's SHA-1, base64). */
  async assetsByChecksum(checksum: string, signal: AbortSignal): Promise<string[]> {
    const res = await sendJson(
      {
        method: 'POST',
        url: apiUrl(this.baseUrl, '/api/search/metadata'),
        headers: this.#headers(),
        body: { checksum },
        signal,
      },
      searchResponse,
    );
    return res.assets.items.map((a) => a.id);
  }

  async searchPersons(name: string, signal: AbortSignal): Promise<ImmichPerson[]> {
    return sendJson(
      {
        method: 'GET',
        url: apiUrl(this.baseUrl, '/api/search/person', { name, withHidden: 'true' }),
        headers: this.#headers(),
        signal,
      },
      z.array(person),
    );
  }

  async createPerson(name: string, signal: AbortSignal): Promise<ImmichPerson> {
    return sendJson(
      { method: 'POST', url: apiUrl(this.baseUrl, '/api/people'), headers: this.#headers(), body: { name }, signal },
      person,
    );
  }

  /** The asset's faces (the `id` query parameter is the asset id, spec §4.1). */
  async facesOfAsset(assetId: string, signal: AbortSignal): Promise<ImmichFace[]> {
    return sendJson(
      { method: 'GET', url: apiUrl(this.baseUrl, '/api/faces', { id: assetId }), headers: this.#headers(), signal },
      z.array(face),
    );
  }

  async createFace(body: ImmichFaceCreate, signal: AbortSignal): Promise<void> {
    await send({ method: 'POST', url: apiUrl(this.baseUrl, '/api/faces'), headers: this.#headers(), body, signal });
  }

  /** Moves face `faceId` to person `personId` (path: the person; body: the face). */
  async reassignFace(personId: string, faceId: string, signal: AbortSignal): Promise<void> {
    await send({
      method: 'PUT',
      url: apiUrl(this.baseUrl, `/api/faces/${encodeURIComponent(personId)}`),
      headers: this.#headers(),
      body: { id: faceId },
      signal,
    });
  }

  /** Re-runs metadata extraction, which re-reads the asset's linked sidecar. */
  async refreshMetadata(assetIds: readonly string[], signal: AbortSignal): Promise<void> {
    await send({
      method: 'POST',
      url: apiUrl(this.baseUrl, '/api/assets/jobs'),
      headers: this.#headers(),
      body: { assetIds, name: 'refresh-metadata' },
      signal,
    });
  }
}
