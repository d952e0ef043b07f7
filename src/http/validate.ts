/**
 * Request input, checked at the boundary: ids in the path, query parameters, JSON bodies. A
 * failure is a 400 naming the field, never a 500 from deeper down; a well-formed value the rules
 * refuse (a person's name) is a 422 with the reason.
 */
import * as z from 'zod';
import { checkPersonName } from '../names/person-name.js';
import { HttpError } from './errors.js';

/** Digits only, no sign, no leading zero, within SQLite's and JS's exact integer range. */
const ID_TEXT = /^[1-9][0-9]{0,14}$/;

/** A positive integer id from a path segment; anything else (`..%2f`, `1/..`, `-1`, `1e3`) is a 400. */
export function parseId(value: unknown, what: string): number {
  if (typeof value !== 'string' || !ID_TEXT.test(value)) {
    throw new HttpError(400, `${what} must be a positive integer`);
  }
  return Number(value);
}

function issuesText(error: z.ZodError, where: string): string {
  return error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : where}: ${i.message}`).join('; ');
}

/** Marks a zod issue as a refused value (422) rather than a malformed request (400). */
const REFUSED = { refused: true } as const;
const isRefused = (i: z.core.$ZodIssue): boolean => i.code === 'custom' && i.params?.refused === true;

export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body);
  if (!r.success) {
    const refused = r.error.issues.length > 0 && r.error.issues.every(isRefused);
    throw new HttpError(refused ? 422 : 400, `invalid request body: ${issuesText(r.error, 'body')}`);
  }
  return r.data;
}

export function parseQuery<T>(schema: z.ZodType<T>, query: unknown): T {
  const r = schema.safeParse(query);
  if (!r.success) throw new HttpError(400, `invalid query: ${issuesText(r.error, 'query')}`);
  return r.data;
}

/** A query integer in [min, max], given once (a repeated parameter arrives as an array: refused). */
const queryInt = (min: number, max: number) =>
  z
    .string()
    .regex(/^[0-9]{1,15}$/, 'expected a non-negative integer')
    .transform(Number)
    .pipe(z.int().min(min).max(max));

export const MAX_PAGE = 500;
export const DEFAULT_PAGE = 100;

export const personPhotosQuery = z.object({
  limit: queryInt(1, MAX_PAGE).default(DEFAULT_PAGE),
  after: queryInt(0, Number.MAX_SAFE_INTEGER).default(0),
  which: z.enum(['confirmed', 'suggested', 'all']).default('all'),
});

/** The photo list's place: the last photo listed (its date and id), as `next` gives it. */
export interface PhotoCursor {
  readonly at: number;
  readonly id: number;
}

/** `next` of the photo list: opaque to clients (base64url of "<date>.<id>"), so it may change shape. */
export function encodePhotoCursor(c: PhotoCursor): string {
  return Buffer.from(`${c.at}.${c.id}`).toString('base64url');
}

const CURSOR_TEXT = /^(-?[0-9]{1,16})\.([1-9][0-9]{0,15})$/;

const photoCursor = z
  .string()
  .max(64)
  .transform((s, ctx): PhotoCursor => {
    const m = /^[A-Za-z0-9_-]+$/.test(s) ? CURSOR_TEXT.exec(Buffer.from(s, 'base64url').toString('latin1')) : null;
    const at = m ? Number(m[1]) : Number.NaN;
    const id = m ? Number(m[2]) : Number.NaN;
    if (!Number.isSafeInteger(at) || !Number.isSafeInteger(id)) {
      ctx.addIssue({ code: 'custom', message: "not a cursor this list gave: pass back the answer's `next` as it is" });
      return z.NEVER;
    }
    return { at, id };
  });

/**
 * `GET /api/photos`: newest first by the photo's date. `cursor` (from `next`) pages on; `before` (a
 * photo id, the paging of old clients) continues after that photo; not both. `person` keeps the
 * photos with that person's confirmed faces, or the `which` faces given.
 */
export const photoListQuery = z
  .strictObject({
    limit: queryInt(1, MAX_PAGE).default(DEFAULT_PAGE),
    cursor: photoCursor.optional(),
    // A photo id, as before; or the answer's `next`, which clients written for the id-paged list
    // (teach.py among them) pass back as `before`.
    before: z.union([queryInt(0, Number.MAX_SAFE_INTEGER), photoCursor]).default(0),
    faces: z.enum(['any', 'none']).default('any'),
    person: queryInt(1, Number.MAX_SAFE_INTEGER).optional(),
    which: z.enum(['confirmed', 'suggested', 'all']).optional(),
  })
  .superRefine((q, ctx) => {
    if (q.cursor !== undefined && q.before !== 0) {
      ctx.addIssue({ code: 'custom', path: ['before'], message: 'give either cursor or before, not both' });
    }
    if (q.which !== undefined && q.person === undefined) {
      ctx.addIssue({ code: 'custom', path: ['which'], message: 'which applies to a person: give person too' });
    }
    if (q.person !== undefined && q.faces === 'none') {
      ctx.addIssue({
        code: 'custom',
        path: ['faces'],
        message: 'faces=none lists photos without faces: not with person',
      });
    }
  });

export const changesQuery = z.object({
  since: queryInt(0, Number.MAX_SAFE_INTEGER).default(0),
  limit: queryInt(1, MAX_PAGE).default(DEFAULT_PAGE),
});

/**
 * A person's name as stored, by the one name rule (src/names/person-name.ts): a string the rule
 * refuses is a 422 with its reason (the request was well-formed); a non-string is a 400.
 */
export const personName = z.string().transform((s, ctx) => {
  const r = checkPersonName(s);
  if (!r.ok) {
    ctx.addIssue({ code: 'custom', message: r.reason, params: REFUSED });
    return z.NEVER;
  }
  return r.name;
});

/** A label request (src/labelling/labelling.ts LabelRequest says what each action does). */
export const labelBody = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('confirm'), person: personName }),
  z.strictObject({ action: z.literal('name'), person: personName }),
  z.strictObject({ action: z.literal('reject'), person: personName.optional() }),
  z.strictObject({ action: z.literal('not_a_face') }),
  z.strictObject({ action: z.literal('ignore') }),
  z.strictObject({ action: z.literal('clear') }),
]);

/** Most faces one bulk action labels: a whole cluster, and a bounded transaction. */
export const MAX_BULK_FACES = 2000;

const faceIds = z.array(z.int().positive().max(Number.MAX_SAFE_INTEGER)).min(1).max(MAX_BULK_FACES);

/** The same actions on many faces: `{ faces: [ids], action, person? }`. */
export const bulkLabelBody = z.discriminatedUnion('action', [
  z.strictObject({ faces: faceIds, action: z.literal('confirm'), person: personName }),
  z.strictObject({ faces: faceIds, action: z.literal('name'), person: personName }),
  z.strictObject({ faces: faceIds, action: z.literal('reject'), person: personName.optional() }),
  z.strictObject({ faces: faceIds, action: z.literal('not_a_face') }),
  z.strictObject({ faces: faceIds, action: z.literal('ignore') }),
  z.strictObject({ faces: faceIds, action: z.literal('clear') }),
]);

export const renameBody = z.strictObject({ name: personName });

export const mergeBody = z.strictObject({
  into: z.int().positive().max(Number.MAX_SAFE_INTEGER),
});

/** Smallest drawn face side, in photo pixels: smaller chips carry no usable features. */
export const MIN_DRAWN_SIDE = 16;

const coordinate = z.number().finite().min(0).max(1_000_000);

/** A face drawn on the photo view: an upright box in the photo's oriented pixels, and who it is. */
export const drawnFaceBody = z.strictObject({
  box: z.strictObject({
    x: coordinate,
    y: coordinate,
    width: coordinate.min(MIN_DRAWN_SIDE),
    height: coordinate.min(MIN_DRAWN_SIDE),
  }),
  person: personName,
});
