/**
 * The page's side of the HTTP API: the token, requests, and every answer checked at the boundary
 * (the page trusts no shape it did not check). See src/http/API.md.
 */

const TOKEN_KEY = 'facetag.token';

export const token = (): string => localStorage.getItem(TOKEN_KEY) ?? '';
export function saveToken(value: string): void {
  if (value) localStorage.setItem(TOKEN_KEY, value);
  else localStorage.removeItem(TOKEN_KEY);
}
export const authHeaders = (): Record<string, string> => (token() ? { authorization: `Bearer ${token()}` } : {});

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** GET without a body; POST with one (JSON). Throws ApiError with the server's message. */
export async function api(path: string, body?: object): Promise<unknown> {
  const res = await fetch(path, {
    method: body ? 'POST' : 'GET',
    headers: body ? { ...authHeaders(), 'content-type': 'application/json' } : authHeaders(),
    body: body ? JSON.stringify(body) : null,
  });
  const json: unknown = res.headers.get('content-type')?.startsWith('application/json') ? await res.json() : null;
  if (!res.ok) {
    const why = isRecord(json) && typeof json.error === 'string' ? json.error : res.statusText;
    throw new ApiError(res.status, why);
  }
  return json;
}

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * An image behind the token, as a blob: URL (an <img src> cannot send the token). The browser's
 * HTTP cache still applies (ETags). The server answers 503 with Retry-After while it decodes
 * other photos: wait as told and try again, a few times.
 */
export async function imageUrl(path: string): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const r = await fetch(path, { headers: authHeaders() });
    if (r.ok) return URL.createObjectURL(await r.blob());
    if (r.status !== 503 || attempt >= 6) throw new ApiError(r.status, `${path}: ${r.status}`);
    const after = Number(r.headers.get('retry-after'));
    await wait(1000 * (Number.isFinite(after) && after > 0 ? Math.min(after, 10) : attempt));
  }
}

/**
 * Whether a token is right, asked before it is saved: a request that carries it is refused (401)
 * when it is wrong, whatever else the server allows. Throws on anything but yes or no.
 */
export async function tokenIsRight(candidate: string): Promise<boolean> {
  const r = await fetch('/api/page-info', { headers: { authorization: `Bearer ${candidate}` } });
  if (r.status === 401) return false;
  if (!r.ok) throw new ApiError(r.status, `the server answered ${r.status} ${r.statusText}`);
  return true;
}

// --- checking answers -------------------------------------------------------------------------

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isId = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) > 0;
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function field<T>(v: unknown, key: string, check: (x: unknown) => x is T): T {
  if (!isRecord(v) || !check(v[key])) throw new Error(`unexpected answer: ${key}`);
  return v[key] as T;
}
function arrayOf<T>(v: unknown, item: (x: unknown) => T): T[] {
  if (!Array.isArray(v)) throw new Error('unexpected answer: expected a list');
  return v.map(item);
}

export interface FaceRef {
  readonly id: number;
  readonly photoId: number;
}
export interface Suggestion extends FaceRef {
  readonly decisionValue: number | null;
}

/** What the page needs to know about this daemon (GET /api/page-info). */
export interface PageInfo {
  /** Where the token is kept, when it is a file (null: set in the config or FACETAG_TOKEN). */
  readonly tokenFile: string | null;
  /** The commands that print the token on the daemon's computer. */
  readonly tokenCommands: readonly string[];
  /** An auto name at least this sure goes into the sidecars: the page calls it "sure". */
  readonly sureFrom: number;
}

export const pageInfoOf = (v: unknown): PageInfo => {
  const r = isRecord(v) ? v : {};
  return {
    tokenFile: str(r.tokenFile),
    tokenCommands: Array.isArray(r.tokenCommands) ? r.tokenCommands.filter((c) => typeof c === 'string') : [],
    sureFrom: num(r.sureFrom) ?? 0.5,
  };
};
export interface PersonSuggestions {
  readonly id: number;
  readonly name: string;
  readonly faces: readonly Suggestion[];
}
export interface Person {
  readonly id: number;
  readonly name: string;
  readonly confirmed: number;
  readonly suggested: number;
}
export interface Face {
  readonly id: number;
  readonly box: {
    readonly cx: number;
    readonly cy: number;
    readonly width: number;
    readonly height: number;
    readonly angle: number;
  };
  readonly labelState: 'auto' | 'confirmed' | 'rejected' | 'not_a_face' | 'ignored';
  readonly person: string | null;
  readonly predictedPerson: string | null;
  readonly decisionValue: number | null;
}
export interface Photo {
  readonly id: number;
  readonly path: string;
  readonly width: number | null;
  readonly height: number | null;
}
export interface PersonPhoto extends Photo {
  readonly faces: readonly { readonly id: number; readonly state: string; readonly decisionValue: number | null }[];
}
export interface PhotoListing extends Photo {
  readonly faces: number;
  readonly status: string;
  /** ms since the epoch: when the photo was taken, else its file's time (dateSource); null: unknown. */
  readonly takenAt: number | null;
  readonly dateSource: 'taken' | 'file' | null;
}
export interface TrainingState {
  readonly phase: string;
  readonly startsAt: number | null;
  readonly progress: { readonly done: number; readonly total: number; readonly current: string | null } | null;
  readonly last: {
    readonly finishedAt: number;
    readonly seconds: number;
    readonly persons: number;
    readonly named: number;
    readonly error: string | null;
  } | null;
}
export interface PersonTraining {
  readonly id: number;
  readonly name: string;
  readonly chips: number;
  readonly model: { readonly version: number; readonly trainedAt: number; readonly cvScore: number | null } | null;
}

export const faceRef = (v: unknown): FaceRef => ({ id: field(v, 'id', isId), photoId: field(v, 'photoId', isId) });

export interface FaceGroup {
  /**
   * cluster: one stored cluster (neural engine); once: faces alike to no other; unlikely: seen
   * once and a weak detection; guess / likeness: the cascade's groups, made per request.
   */
  readonly kind: string;
  /** The stored cluster's id (stable), or null. */
  readonly clusterId: number | null;
  /** The person the models think most likely (below their threshold), or null: grouped by likeness. */
  readonly guess: string | null;
  readonly faces: readonly FaceRef[];
}

export const groupsOf = (v: unknown): FaceGroup[] =>
  arrayOf(isRecord(v) ? v.groups : null, (g) => ({
    kind: (isRecord(g) ? str(g.kind) : null) ?? 'likeness',
    clusterId: isRecord(g) && isId(g.clusterId) ? g.clusterId : null,
    guess: isRecord(g) ? str(g.guess) : null,
    faces: arrayOf(isRecord(g) ? g.faces : null, faceRef),
  }));

export const suggestionsOf = (v: unknown): PersonSuggestions[] =>
  arrayOf(isRecord(v) ? v.persons : null, (p) => ({
    id: field(p, 'id', isId),
    name: field(p, 'name', (x): x is string => typeof x === 'string'),
    faces: arrayOf(isRecord(p) ? p.faces : null, (f) => ({
      ...faceRef(f),
      decisionValue: isRecord(f) ? num(f.decisionValue) : null,
    })),
  }));

export const personsOf = (v: unknown): Person[] =>
  arrayOf(isRecord(v) ? v.persons : null, (p) => ({
    id: field(p, 'id', isId),
    name: field(p, 'name', (x): x is string => typeof x === 'string'),
    confirmed: num(isRecord(p) ? p.confirmed : null) ?? 0,
    suggested: num(isRecord(p) ? p.suggested : null) ?? 0,
  }));

function photoOf(v: unknown): Photo {
  const r = isRecord(v) ? v : {};
  return { id: field(v, 'id', isId), path: str(r.path) ?? '', width: num(r.width), height: num(r.height) };
}

export const personPhotosOf = (v: unknown): { photos: PersonPhoto[]; next: number | null } => ({
  photos: arrayOf(isRecord(v) ? v.photos : null, (p) => ({
    ...photoOf(p),
    faces: arrayOf(isRecord(p) ? p.faces : null, (f) => ({
      id: field(f, 'id', isId),
      state: str(isRecord(f) ? f.state : null) ?? '',
      decisionValue: isRecord(f) ? num(f.decisionValue) : null,
    })),
  })),
  next: isRecord(v) ? num(v.next) : null,
});

/** A page of the photo list; `next` is the opaque cursor of the page after it (null: the last). */
export const photoListOf = (v: unknown): { photos: PhotoListing[]; next: string | null } => ({
  photos: arrayOf(isRecord(v) ? v.photos : null, (p) => {
    const r = isRecord(p) ? p : {};
    return {
      ...photoOf(p),
      faces: num(r.faces) ?? 0,
      status: str(r.status) ?? '',
      takenAt: num(r.takenAt),
      dateSource: r.dateSource === 'taken' || r.dateSource === 'file' ? r.dateSource : null,
    };
  }),
  next: isRecord(v) && (typeof v.next === 'string' || typeof v.next === 'number') ? String(v.next) : null,
});

const LABEL_STATES = ['auto', 'confirmed', 'rejected', 'not_a_face', 'ignored'] as const;
function faceOf(v: unknown): Face {
  const r = isRecord(v) ? v : {};
  const b = isRecord(r.box) ? r.box : {};
  const state = LABEL_STATES.find((s) => s === r.labelState);
  if (!state) throw new Error('unexpected answer: labelState');
  return {
    id: field(v, 'id', isId),
    box: {
      cx: num(b.cx) ?? 0,
      cy: num(b.cy) ?? 0,
      width: num(b.width) ?? 0,
      height: num(b.height) ?? 0,
      angle: num(b.angle) ?? 0,
    },
    labelState: state,
    person: str(r.person),
    predictedPerson: str(r.predictedPerson),
    decisionValue: num(r.decisionValue),
  };
}

export const photoFacesOf = (v: unknown): { photo: Photo; faces: Face[] } => ({
  photo: photoOf(isRecord(v) ? v.photo : null),
  faces: arrayOf(isRecord(v) ? v.faces : null, faceOf),
});

export function trainingOf(v: unknown): { service: TrainingState | null; persons: PersonTraining[] } {
  const s = isRecord(v) && isRecord(v.service) ? v.service : null;
  const p = s && isRecord(s.progress) ? s.progress : null;
  const l = s && isRecord(s.last) ? s.last : null;
  return {
    service: s && {
      phase: str(s.phase) ?? 'idle',
      startsAt: num(s.startsAt),
      progress: p && { done: num(p.done) ?? 0, total: num(p.total) ?? 0, current: str(p.current) },
      last: l && {
        finishedAt: num(l.finishedAt) ?? 0,
        seconds: num(l.seconds) ?? 0,
        persons: num(l.persons) ?? 0,
        named: num(l.named) ?? 0,
        error: str(l.error),
      },
    },
    persons: arrayOf(isRecord(v) ? v.persons : null, (x) => {
      const m = isRecord(x) && isRecord(x.model) ? x.model : null;
      return {
        id: field(x, 'id', isId),
        name: field(x, 'name', (y): y is string => typeof y === 'string'),
        chips: num(isRecord(x) ? x.chips : null) ?? 0,
        model: m && { version: num(m.version) ?? 0, trainedAt: num(m.trainedAt) ?? 0, cvScore: num(m.cvScore) },
      };
    }),
  };
}
