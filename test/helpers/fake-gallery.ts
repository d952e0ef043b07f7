/**
 * A local HTTP server that implements the Immich and PhotoPrism endpoints the gallery plugins use,
 * as ../shared/specs/gallery-interop.md §4 documents them (and the DTOs it cites), plus a webhook
 * receiver. It checks auth headers and request bodies the way the real servers' validation would
 * (a missing field or a wrong type is a 400), keeps a small in-memory gallery, and records every
 * request. Knobs: fail the next N requests (with a status and a Retry-After of choice), answer
 * slowly, or never answer.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { recordAnalysis } from '../../src/store/analysis.js';
import type { Db } from '../../src/store/db.js';
import { facesOfPhoto, setFaceLabel } from '../../src/store/faces.js';
import { at } from './items.js';

export interface RecordedRequest {
  readonly method: string;
  /** Pathname only. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: IncomingHttpHeaders;
  /** Parsed JSON body, or undefined. */
  readonly body: unknown;
  readonly raw: string;
  readonly at: number;
}

export interface ImmichAsset {
  readonly id: string;
  readonly originalPath: string;
  /** SHA-1, base64. */
  readonly checksum: string;
}
export interface ImmichPersonRec {
  readonly id: string;
  name: string;
}
export interface ImmichFaceRec {
  readonly id: string;
  readonly assetId: string;
  personId: string | null;
  readonly imageWidth: number;
  readonly imageHeight: number;
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
  readonly sourceType: string;
}

export interface PrismMarker {
  readonly UID: string;
  readonly FileUID: string;
  readonly Type: string;
  readonly Src: string;
  Name: string;
  SubjSrc: string;
  readonly Invalid: boolean;
  readonly X: number;
  readonly Y: number;
  readonly W: number;
  readonly H: number;
}
export interface PrismFile {
  readonly UID: string;
  readonly Name: string;
  readonly Primary: boolean;
  readonly Markers: PrismMarker[];
  /** SHA-1, hex (the search's `hash` filter). */
  readonly Hash?: string;
}
export interface PrismPhoto {
  readonly UID: string;
  readonly Files: PrismFile[];
}

type Reply = { status: number; body?: unknown };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const bad = (message: string): Reply => ({ status: 400, body: { message } });

export class FakeGallery {
  readonly requests: RecordedRequest[] = [];
  readonly immich = { assets: [] as ImmichAsset[], people: [] as ImmichPersonRec[], faces: [] as ImmichFaceRec[] };
  readonly prism = { photos: [] as PrismPhoto[] };
  /** Answer the next N requests with `failStatus`. */
  failNext = 0;
  failStatus = 503;
  /** A Retry-After header on the injected failures. */
  failRetryAfter: string | undefined;
  /** Wait this long before answering. */
  delayMs = 0;
  /** Never answer (until close). */
  hang = false;
  /** Immich API key permissions the key lacks (e.g. 'job.create'): those calls answer 403 as Immich does. */
  readonly immichDenied = new Set<string>();
  /** Called with each request before it is answered (to change the gallery in between calls). */
  beforeReply: ((r: RecordedRequest) => void) | undefined;
  /** What the webhook receiver answers. */
  hookStatus = 200;

  private constructor(
    readonly url: string,
    private readonly server: ReturnType<typeof createServer>,
    readonly immichKey: string,
    readonly prismToken: string,
  ) {}

  static async start(opts: { immichKey?: string; prismToken?: string } = {}): Promise<FakeGallery> {
    let gallery: FakeGallery | undefined;
    const server = createServer((req, res) => {
      if (gallery) void gallery.handle(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    gallery = new FakeGallery(
      `http://127.0.0.1:${port}`,
      server,
      opts.immichKey ?? 'immich-test-key',
      opts.prismToken ?? 'prism-test-token',
    );
    return gallery;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Requests to paths starting with `prefix`, e.g. '/api/faces'. */
  calls(prefix = ''): RecordedRequest[] {
    return this.requests.filter((r) => r.path.startsWith(prefix));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.url);
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = undefined;
    }
    const rec: RecordedRequest = {
      method: req.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body,
      raw,
      at: Date.now(),
    };
    this.requests.push(rec);
    this.beforeReply?.(rec);
    if (this.hang) return; // closeAllConnections ends it
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    let reply: Reply;
    const headers: Record<string, string> = {};
    if (this.failNext > 0) {
      this.failNext--;
      reply = { status: this.failStatus, body: { message: 'injected failure' } };
      if (this.failRetryAfter !== undefined) headers['retry-after'] = this.failRetryAfter;
    } else if (raw && body === undefined) {
      reply = bad('malformed JSON');
    } else if (rec.path === '/hook') {
      reply = { status: this.hookStatus };
    } else if (rec.path.startsWith('/api/v1/')) {
      reply = this.prismRoute(rec);
    } else if (rec.path.startsWith('/api/')) {
      reply = this.immichRoute(rec);
    } else {
      reply = { status: 404, body: { message: 'not found' } };
    }
    if (reply.body !== undefined) headers['content-type'] = 'application/json';
    res.writeHead(reply.status, headers);
    res.end(reply.body === undefined ? undefined : JSON.stringify(reply.body));
  }

  // ---- Immich (spec §4.1) ----

  private immichRoute(r: RecordedRequest): Reply {
    if (r.headers['x-api-key'] !== this.immichKey) return { status: 401, body: { message: 'Invalid API key' } };
    const { method, path, body } = r;
    const needed = immichPermission(method, path);
    if (needed && this.immichDenied.has(needed)) {
      // Immich's AuthService.authenticate for an API key without the route's permission.
      return {
        status: 403,
        body: { message: `Missing required permission: ${needed}`, error: 'Forbidden', statusCode: 403 },
      };
    }
    if (method === 'POST' && path === '/api/search/metadata') return this.searchMetadata(body);
    if (method === 'GET' && path === '/api/search/person') {
      if (typeof r.query.name !== 'string') return bad('name must be a string');
      const q = r.query.name.toLowerCase();
      return { status: 200, body: this.immich.people.filter((p) => p.name.toLowerCase().includes(q)).map(person) };
    }
    if (method === 'POST' && path === '/api/people') {
      if (!isObject(body) || (body.name !== undefined && typeof body.name !== 'string'))
        return bad('name must be a string');
      const p = { id: randomUUID(), name: typeof body.name === 'string' ? body.name : '' };
      this.immich.people.push(p);
      return { status: 201, body: person(p) };
    }
    if (method === 'GET' && path === '/api/faces') {
      if (!UUID.test(r.query.id ?? '')) return bad('id must be a UUID');
      return { status: 200, body: this.immich.faces.filter((f) => f.assetId === r.query.id).map((f) => this.face(f)) };
    }
    if (method === 'POST' && path === '/api/faces') return this.createFace(body);
    const reassign = /^\/api\/faces\/([^/]+)$/.exec(path);
    if (method === 'PUT' && reassign) {
      const p = this.immich.people.find((x) => x.id === reassign[1]);
      const f = isObject(body) ? this.immich.faces.find((x) => x.id === body.id) : undefined;
      if (!p || !f) return { status: 400, body: { message: 'Not found or no face.update access' } };
      f.personId = p.id;
      return { status: 200, body: person(p) };
    }
    if (method === 'POST' && path === '/api/assets/jobs') {
      const names = ['refresh-faces', 'refresh-metadata', 'regenerate-thumbnail', 'transcode-video'];
      if (!isObject(body) || !Array.isArray(body.assetIds) || !body.assetIds.every((id) => UUID.test(String(id)))) {
        return bad('assetIds must be an array of UUIDs');
      }
      if (!names.includes(String(body.name))) return bad(`name must be one of ${names.join(', ')}`);
      return { status: 204 };
    }
    return { status: 404, body: { message: `Cannot ${method} ${path}` } };
  }

  private searchMetadata(body: unknown): Reply {
    if (!isObject(body)) return bad('body must be an object');
    let items = this.immich.assets;
    // Immich matches originalPath loosely (a case-insensitive substring), so callers must filter.
    if (typeof body.originalPath === 'string') {
      const q = body.originalPath.toLowerCase();
      items = items.filter((a) => a.originalPath.toLowerCase().includes(q));
    }
    if (typeof body.checksum === 'string') {
      if (body.checksum.length !== 28 && body.checksum.length !== 40) return bad('checksum must be base64 or hex');
      items = items.filter((a) => a.checksum === body.checksum);
    }
    const assets = items.map((a) => ({ id: a.id, originalPath: a.originalPath, type: 'IMAGE' }));
    return {
      status: 200,
      body: {
        albums: { total: 0, count: 0, items: [], facets: [] },
        assets: { total: assets.length, count: assets.length, items: assets, facets: [], nextPage: null },
      },
    };
  }

  private createFace(body: unknown): Reply {
    if (!isObject(body)) return bad('body must be an object');
    for (const k of ['assetId', 'personId']) if (!UUID.test(String(body[k]))) return bad(`${k} must be a UUID`);
    const ints = ['imageWidth', 'imageHeight', 'x', 'y', 'width', 'height'];
    for (const k of ints) if (!Number.isInteger(body[k])) return bad(`${k} must be an integer number`);
    const allowed = new Set(['assetId', 'personId', ...ints]);
    for (const k of Object.keys(body)) if (!allowed.has(k)) return bad(`property ${k} should not exist`);
    if (!this.immich.assets.some((a) => a.id === body.assetId)) return { status: 400, body: { message: 'Not found' } };
    if (!this.immich.people.some((p) => p.id === body.personId)) return { status: 400, body: { message: 'Not found' } };
    const [x, y, w, h] = [Number(body.x), Number(body.y), Number(body.width), Number(body.height)];
    this.immich.faces.push({
      id: randomUUID(),
      assetId: String(body.assetId),
      personId: String(body.personId),
      imageWidth: Number(body.imageWidth),
      imageHeight: Number(body.imageHeight),
      x1: x,
      y1: y,
      x2: x + w,
      y2: y + h,
      sourceType: 'manual',
    });
    return { status: 201 };
  }

  private face(f: ImmichFaceRec) {
    const p = this.immich.people.find((x) => x.id === f.personId);
    return {
      id: f.id,
      imageWidth: f.imageWidth,
      imageHeight: f.imageHeight,
      boundingBoxX1: f.x1,
      boundingBoxY1: f.y1,
      boundingBoxX2: f.x2,
      boundingBoxY2: f.y2,
      sourceType: f.sourceType,
      person: p ? person(p) : null,
    };
  }

  // ---- PhotoPrism (spec §4.2) ----

  private prismRoute(r: RecordedRequest): Reply {
    const auth =
      r.headers.authorization === `Bearer ${this.prismToken}` || r.headers['x-auth-token'] === this.prismToken;
    if (!auth) return { status: 401, body: { error: 'Unauthorized' } };
    const { method, path, body } = r;
    if (method === 'GET' && path === '/api/v1/photos') return this.searchPhotos(r.query);
    const photo = /^\/api\/v1\/photos\/([^/]+)$/.exec(path);
    if (method === 'GET' && photo) {
      const p = this.prism.photos.find((x) => x.UID === photo[1]);
      return p ? { status: 200, body: p } : { status: 404, body: { error: 'Photo not found' } };
    }
    if (method === 'POST' && path === '/api/v1/markers') return this.createMarker(body);
    const marker = /^\/api\/v1\/markers\/([^/]+)$/.exec(path);
    if (method === 'PUT' && marker) {
      const m = this.prism.photos.flatMap((p) => p.Files.flatMap((f) => f.Markers)).find((x) => x.UID === marker[1]);
      if (!m) return { status: 404, body: { error: 'Marker not found' } };
      if (!isObject(body)) return bad('body must be an object');
      // As PhotoPrism's SetName: a name only takes with a manual subject source.
      if (body.SubjSrc === 'manual' && typeof body.Name === 'string') {
        m.Name = body.Name;
        m.SubjSrc = 'manual';
      }
      return { status: 200, body: m };
    }
    return { status: 404, body: { error: 'not found' } };
  }

  /**
   * As PhotoPrism's photo search (internal/entity/search/photos.go), unmerged: one row per file,
   * sidecars left out; `filename` is SQL LIKE through OrLike (`*` becomes `%`, `|` separates
   * alternatives, `_` and `%` are wildcards, case-insensitive as MariaDB's and SQLite's LIKE are);
   * `hash` is exact.
   */
  private searchPhotos(query: Readonly<Record<string, string>>): Reply {
    if (!/^\d+$/.test(query.count ?? '')) return bad('count is required');
    let rows = this.prism.photos.flatMap((p) =>
      p.Files.filter((f) => !f.Name.toLowerCase().endsWith('.xmp')).map((f) => ({
        UID: p.UID,
        FileUID: f.UID,
        FileName: f.Name,
        Hash: f.Hash ?? '',
      })),
    );
    if (query.filename) {
      const s = query.filename.replaceAll('*', '%').replaceAll('%%', '%');
      const terms = s.split('|');
      const patterns = terms.length > 1 ? terms.map((t) => t.trim()) : terms;
      rows = rows.filter((row) => patterns.some((p) => sqlLike(p, row.FileName)));
    }
    const hash = query.hash;
    if (hash) rows = rows.filter((row) => hash.split('|').includes(row.Hash));
    const offset = Number(query.offset ?? 0);
    return { status: 200, body: rows.slice(offset, offset + Number(query.count)) };
  }

  private createMarker(body: unknown): Reply {
    if (!isObject(body)) return bad('body must be an object');
    const file = this.prism.photos.flatMap((p) => p.Files).find((f) => f.UID === body.FileUID);
    if (!file) return { status: 404, body: { error: 'File not found' } };
    for (const k of ['Type', 'Src', 'SubjSrc']) {
      if (typeof body[k] !== 'string' || String(body[k]).length > 8) return bad('invalid type or src');
    }
    const [X, Y, W, H] = ['X', 'Y', 'W', 'H'].map((k) => body[k]);
    if (![X, Y, W, H].every((v) => typeof v === 'number' && v >= 0 && v <= 1)) return bad('invalid area');
    if (!(Number(W) > 0 && Number(H) > 0)) return bad('width and height must be greater than zero');
    const named = body.SubjSrc === 'manual' && typeof body.Name === 'string';
    const m: PrismMarker = {
      UID: `m${randomUUID().replace(/-/g, '').slice(0, 15)}`,
      FileUID: file.UID,
      Type: String(body.Type),
      Src: String(body.Src),
      Name: named ? String(body.Name) : '',
      SubjSrc: named ? 'manual' : '',
      Invalid: body.Invalid === true,
      X: Number(X),
      Y: Number(Y),
      W: Number(W),
      H: Number(H),
    };
    file.Markers.push(m);
    return { status: 201, body: m };
  }
}

/** The permission Immich's controllers require for the calls the plugin makes (`@Authenticated({ permission })`). */
function immichPermission(method: string, path: string): string | undefined {
  if (path === '/api/search/metadata') return 'asset.read';
  if (path === '/api/search/person') return 'person.read';
  if (path === '/api/people' && method === 'POST') return 'person.create';
  if (path === '/api/faces') return method === 'GET' ? 'face.read' : 'face.create';
  if (path.startsWith('/api/faces/') && method === 'PUT') return 'face.update';
  if (path === '/api/assets/jobs') return 'job.create';
  return undefined;
}

/** SQL LIKE without an escape character: `%` any run, `_` any one character. */
function sqlLike(pattern: string, value: string): boolean {
  const re = [...pattern]
    .map((c) => (c === '%' ? '.*' : c === '_' ? '.' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${re}$`, 'is').test(value);
}

function person(p: ImmichPersonRec) {
  return { id: p.id, name: p.name, birthDate: null, thumbnailPath: '', isHidden: false };
}

// ---- Store fixtures for the plugin tests: a photo analysed and labelled through the store API ----

export interface SeedFace {
  /** Centre, size and angle in the displayed frame, pixels. */
  readonly rect: { cx: number; cy: number; width: number; height: number; angle?: number };
  /** The recogniser's name (auto) and decision value. */
  readonly auto?: { name: string; value: number } | undefined;
  /** A person's confirmed label. */
  readonly confirmed?: string;
}

export interface SeedPhoto {
  readonly path: string;
  readonly hash: string;
  /** Displayed size (after orientation). */
  readonly width: number;
  readonly height: number;
  readonly orientation?: number;
  readonly faces: readonly SeedFace[];
}

/** Records an analysis (one photo.analysed event) and applies confirmed labels (one more each). */
export function seedPhoto(db: Db, photo: SeedPhoto, now: number): { photoId: number; faceIds: number[] } {
  const report = recordAnalysis(
    db,
    null,
    {
      path: photo.path,
      size: 1000,
      mtimeMs: 1_700_000_000_000,
      hash: photo.hash,
      pipelineVersion: 1,
      modelVersion: 'test',
      width: photo.width,
      height: photo.height,
      orientation: photo.orientation ?? 1,
      takenAt: null,
      faces: photo.faces.map((f) => ({
        rect: { angle: 0, ...f.rect },
        strength: 5,
        predictedPerson: f.auto?.name ?? null,
        decisionValue: f.auto?.value ?? null,
      })),
    },
    now,
  );
  const faceIds = facesOfPhoto(db, report.photoId).map((f) => f.id);
  photo.faces.forEach((f, i) => {
    if (f.confirmed) setFaceLabel(db, at(faceIds, i, 'face ids'), { state: 'confirmed', person: f.confirmed }, now);
  });
  return { photoId: report.photoId, faceIds };
}

/** A 64-hex-digit content hash from a small number. */
export function hashOf(n: number): string {
  return n.toString(16).padStart(64, '0');
}
