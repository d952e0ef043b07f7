/**
 * The PhotoPrism REST calls the photoprism plugin makes (spec §4.2: base `/api/v1`, markers API),
 * with the answers checked. Finding a photo by its file name is not in the spec: it is the photo
 * search's `filename` filter (photoprism internal/form/search_photos.go); a marker's `Name` only
 * takes effect with `SubjSrc: "manual"` (internal/entity/marker.go SetName), so both calls send it.
 */
import * as z from 'zod';
import { apiUrl, send, sendJson } from './http.js';

const marker = z.object({
  UID: z.string().min(1),
  Type: z.string(),
  Name: z.string().default(''),
  SubjSrc: z.string().default(''),
  Invalid: z.boolean().default(false),
  X: z.number(),
  Y: z.number(),
  W: z.number(),
  H: z.number(),
});
export type PhotoPrismMarker = z.infer<typeof marker>;

const file = z.object({
  UID: z.string().min(1),
  Name: z.string(),
  Primary: z.boolean().default(false),
  Markers: z.array(marker).nullable().default([]),
});
export type PhotoPrismFile = z.infer<typeof file>;

const photo = z.object({ UID: z.string().min(1), Files: z.array(file).default([]) });
const searchResults = z.array(z.object({ UID: z.string().min(1) }));

/** `POST /api/v1/markers` (form.Marker): X, Y top-left, all 0..1 of the displayed image. */
export interface MarkerCreate {
  readonly FileUID: string;
  readonly Type: 'face';
  readonly Src: 'manual';
  readonly X: number;
  readonly Y: number;
  readonly W: number;
  readonly H: number;
  readonly Name: string;
  readonly SubjSrc: 'manual';
  readonly MarkerReview: false;
  readonly Invalid: false;
}

export class PhotoPrismApi {
  constructor(
    private readonly baseUrl: string,
    private readonly authHeaders: Readonly<Record<string, string>>,
  ) {}

  /** The photo UID whose file is `name` (relative to the originals folder), if indexed. */
  async photoByFileName(name: string, signal: AbortSignal): Promise<string | undefined> {
    const found = await sendJson(
      {
        method: 'GET',
        url: apiUrl(this.baseUrl, '/api/v1/photos', { count: '1', filename: name }),
        headers: this.authHeaders,
        signal,
      },
      searchResults,
    );
    return found[0]?.UID;
  }

  /** A photo with its files and their markers. */
  async photo(uid: string, signal: AbortSignal): Promise<z.infer<typeof photo>> {
    return sendJson(
      {
        method: 'GET',
        url: apiUrl(this.baseUrl, `/api/v1/photos/${encodeURIComponent(uid)}`),
        headers: this.authHeaders,
        signal,
      },
      photo,
    );
  }

  async createMarker(body: MarkerCreate, signal: AbortSignal): Promise<void> {
    await send({
      method: 'POST',
      url: apiUrl(this.baseUrl, '/api/v1/markers'),
      headers: this.authHeaders,
      body,
      signal,
    });
  }

  /** Names a marker (creating or linking the person, as PhotoPrism does for any name). */
  async nameMarker(uid: string, name: string, signal: AbortSignal): Promise<void> {
    await send({
      method: 'PUT',
      url: apiUrl(this.baseUrl, `/api/v1/markers/${encodeURIComponent(uid)}`),
      headers: this.authHeaders,
      body: { Name: name, SubjSrc: 'manual' },
      signal,
    });
  }
}
