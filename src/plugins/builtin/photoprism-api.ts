/**
 * The PhotoPrism REST calls the photoprism plugin makes (spec §4.2: base `/api/v1`, markers API),
 * with the answers checked. Finding a photo by its file name is not in the spec: it is the photo
 * search's `filename` filter (photoprism internal/form/search_photos.go). That filter is SQL LIKE
 * (internal/entity/search: `OrLike`): `_` and `%` match any character, `*` becomes `%`, and `|`
 * splits the name into alternatives, with no way to escape them. So the search asks for many
 * results, one row per file (not merged), and only a row whose `FileName` is the name exactly
 * counts. A name with `|` cannot be searched for; it is found by the file's SHA-1 (`hash`, an exact
 * match) instead. A marker's `Name` only takes effect with `SubjSrc: "manual"`
 * (internal/entity/marker.go SetName), so both calls send it.
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
/** Search results, one row per file: `UID` is the photo's, `FileName` relative to the originals. */
const searchResults = z.array(
  z.object({ UID: z.string().min(1), FileUID: z.string().min(1), FileName: z.string().default('') }),
);

/** Rows per search page, and pages looked at, before a name that matches too loosely is given up on. */
const PAGE = 100;
const MAX_PAGES = 5;

export interface PhotoPrismFileRef {
  readonly photoUid: string;
  readonly fileUid: string;
}

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

  /**
   * The file whose name is exactly `name` (relative to the originals folder), if indexed. `sha1` (hex,
   * computed only when needed) finds it when the name cannot be searched for.
   */
  async fileByName(
    name: string,
    sha1: () => Promise<string>,
    signal: AbortSignal,
  ): Promise<PhotoPrismFileRef | undefined> {
    const exact = (rows: z.infer<typeof searchResults>) => rows.find((r) => r.FileName === name);
    if (!name.includes('|')) {
      for (let page = 0; page < MAX_PAGES; page++) {
        const rows = await this.#search({ filename: name, offset: String(page * PAGE) }, signal);
        const hit = exact(rows);
        if (hit) return { photoUid: hit.UID, fileUid: hit.FileUID };
        if (rows.length < PAGE) return undefined;
      }
    }
    const hit = exact(await this.#search({ hash: await sha1(), offset: '0' }, signal));
    return hit ? { photoUid: hit.UID, fileUid: hit.FileUID } : undefined;
  }

  #search(query: Record<string, string>, signal: AbortSignal) {
    return sendJson(
      {
        method: 'GET',
        url: apiUrl(this.baseUrl, '/api/v1/photos', { count: String(PAGE), merged: 'false', ...query }),
        headers: this.authHeaders,
        signal,
      },
      searchResults,
    );
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
