/**
 * The labelling module (issue 16 §3): everything a person does to the labels — name, confirm,
 * reject, ignore, "not a face", clear, a whole group at once with its undo, rename, merge, a face
 * drawn on a photo. The page, the HTTP API and `facetag label` / `facetag persons` all come here.
 *
 * Each action checks the name by the one rule (names/person-name.ts), runs in one transaction of
 * the store (which writes the outbox event with the change, so sidecars and plugins follow), and
 * only after it commits publishes one typed change (LabelChange) for training, each plugin's
 * delivery loop and clustering. A refusal is a LabelProblem from one registry (problems.ts), never
 * a throw.
 *
 * In this file: the actions (createLabelling), then what a request is (LabelRequest and what the
 * store writes for it), then the change event and its in-process hub.
 */

import { checkPersonName } from '../names/person-name.js';
import { type Db, writeTransaction } from '../store/db.js';
import {
  type FaceRow,
  faceById,
  type LabelAction,
  labelFaces,
  type PersonRow,
  personByName,
  setFaceLabel,
  undoLabelAction,
} from '../store/faces.js';
import { addManualFace, type ManualFace } from '../store/manual-faces.js';
import { type MergeCounts, mergePersons, renamePerson } from '../store/person-admin.js';
import { type LabelProblem, problems } from './problems.js';

/** Done (with what it did), or refused with the reason. */
export type Outcome<T> = ({ readonly ok: true } & T) | { readonly ok: false; readonly problem: LabelProblem };

export interface Labelling {
  /** One face. */
  label(faceId: number, request: LabelRequest): Outcome<{ readonly face: FaceRow }>;
  /** Many faces (a whole cluster): all or none, and one undo for all of them. */
  labelMany(
    faceIds: readonly number[],
    request: LabelRequest,
  ): Outcome<{ readonly actionId: number; readonly labelled: number }>;
  /** Put back what a many-face action replaced, except on faces labelled again since. */
  undo(actionId: number): Outcome<{ readonly restored: number; readonly kept: number }>;
  rename(personId: number, name: string): Outcome<{ readonly person: PersonRow; readonly changed: boolean }>;
  merge(personId: number, into: number): Outcome<{ readonly into: PersonRow; readonly moved: MergeCounts }>;
  /** A face the detector missed, drawn on its photo and named. */
  addDrawnFace(face: ManualFace): Outcome<{ readonly face: FaceRow }>;
}

export interface LabellingDeps {
  readonly db: Db;
  readonly now: () => number;
  /**
   * Where each stored change is announced in this process. `facetag label` in another process
   * passes a hub nobody listens to: the daemon's training notices those labels by its poll.
   */
  readonly changes: Pick<LabelChanges, 'publish'>;
}

const refuse = (problem: LabelProblem): { readonly ok: false; readonly problem: LabelProblem } => ({
  ok: false,
  problem,
});

/** Thrown inside a transaction so that a refusal rolls all of it back; caught at its edge. */
class Refused extends Error {
  constructor(readonly problem: LabelProblem) {
    super(problem.message);
  }
}

export function createLabelling({ db, now, changes }: LabellingDeps): Labelling {
  /** The request with its person's name as stored, or the reason the name rule refuses it. */
  const checked = (request: LabelRequest): LabelRequest => {
    if (!('person' in request) || request.person === undefined) return request;
    const name = checkPersonName(request.person);
    if (!name.ok) throw new Refused(problems.invalidName(name.reason));
    return { ...request, person: name.name };
  };
  const requirePerson = (request: LabelRequest): void => {
    const name = existingPersonOf(request);
    if (name !== undefined && !personByName(db, name)) throw new Refused(problems.unknownPerson(name));
  };
  /** `fn` in one write transaction; a Refused inside it rolls back and becomes the outcome. */
  const attempt = <T>(fn: () => Outcome<T>): Outcome<T> => {
    try {
      return writeTransaction(db, fn);
    } catch (err) {
      if (err instanceof Refused) return refuse(err.problem);
      throw err;
    }
  };

  return {
    label(faceId, raw) {
      const r = attempt(() => {
        // A missing face is reported before an unknown person, as the API always has.
        if (!faceById(db, faceId)) throw new Refused(problems.faceNotFound(faceId));
        const request = checked(raw);
        requirePerson(request);
        const stored = setFaceLabel(db, faceId, storeAction(request), now());
        if (!stored.ok) throw new Refused(storeProblem(stored.code, faceId));
        return { ok: true, face: stored.face };
      });
      if (r.ok) changes.publish({ kind: 'faces-labelled', faceIds: [faceId] });
      return r;
    },

    labelMany(faceIds, raw) {
      const r = attempt(() => {
        const request = checked(raw);
        requirePerson(request);
        const stored = labelFaces(db, faceIds, storeAction(request), describeAction(request, faceIds.length), now());
        if (!stored.ok) throw new Refused(storeProblem(stored.code, stored.faceId));
        return { ok: true, actionId: stored.actionId, labelled: stored.labelled };
      });
      if (r.ok) changes.publish({ kind: 'faces-labelled', faceIds });
      return r;
    },

    undo(actionId) {
      const r = undoLabelAction(db, actionId, now());
      if (!r.ok) {
        return refuse(r.code === 'not-found' ? problems.actionNotFound(actionId) : problems.alreadyUndone(actionId));
      }
      changes.publish({ kind: 'label-action-undone', actionId });
      return { ok: true, restored: r.restored, kept: r.kept };
    },

    rename(personId, raw) {
      const name = checkPersonName(raw);
      if (!name.ok) return refuse(problems.invalidName(name.reason));
      const r = renamePerson(db, personId, name.name, now());
      if (!r.ok) {
        if (r.code === 'name-taken') return refuse(problems.nameTaken(name.name, r.existingId));
        if (r.code === 'person-not-found') return refuse(problems.personNotFound(personId));
        throw nameRuleDisagrees(`person ${personId}`);
      }
      // Models are named after persons: a new name means retraining.
      if (r.changed) changes.publish({ kind: 'person-renamed', personId });
      return { ok: true, person: r.person, changed: r.changed };
    },

    merge(personId, into) {
      const r = mergePersons(db, personId, into, now());
      if (!r.ok) {
        if (r.code === 'person-not-found') return refuse(problems.personNotFound(personId));
        if (r.code === 'target-not-found') return refuse(problems.mergeTargetNotFound(into));
        return refuse(problems.samePerson());
      }
      changes.publish({ kind: 'persons-merged', from: personId, into: r.into.id });
      return { ok: true, into: r.into, moved: r.moved };
    },

    addDrawnFace(face) {
      const name = checkPersonName(face.person);
      if (!name.ok) return refuse(problems.invalidName(name.reason));
      const r = addManualFace(db, { ...face, person: name.name }, now());
      if (!r.ok) {
        if (r.code === 'photo-not-analysed') return refuse(problems.photoNotAnalysed(face.photoId));
        if (r.code === 'photo-not-found') return refuse(problems.photoNotFound(face.photoId));
        throw nameRuleDisagrees(`photo ${face.photoId}`);
      }
      changes.publish({ kind: 'face-drawn', faceId: r.face.id });
      return { ok: true, face: r.face };
    },
  };
}

/** The store's refusal of one face's label, in the registry's words. */
function storeProblem(code: 'face-not-found' | 'invalid-person-name' | 'nothing-to-reject', faceId: number) {
  if (code === 'face-not-found') return problems.faceNotFound(faceId);
  if (code === 'nothing-to-reject') return problems.nothingToReject(faceId);
  throw nameRuleDisagrees(`face ${faceId}`);
}

/** The name was checked by the one rule before the store saw it: a refusal there is a bug. */
const nameRuleDisagrees = (what: string): Error =>
  new Error(`${what}: the store refused a name the person-name rule accepted`);

// ---- Label requests ----
/*
 * What a person asks to do to a face's label, in the words the page, the HTTP API and `facetag
 * label` share, and what each request becomes in the store.
 */
/**
 * `confirm` names an existing person (a typo cannot create one); `name` may create the person;
 * `reject` turns down a suggestion (the current one unless `person` says which); `ignore` marks a
 * stranger's face (never named or suggested again); `not_a_face` marks a detector mistake; `clear`
 * takes a label back so the model's suggestion applies again.
 */
export type LabelRequest =
  | { readonly action: 'confirm' | 'name'; readonly person: string }
  | { readonly action: 'reject'; readonly person?: string | undefined }
  | { readonly action: 'not_a_face' | 'ignore' | 'clear' };

/** The label state the store writes for a request. */
function storeAction(request: LabelRequest): LabelAction {
  switch (request.action) {
    case 'confirm':
    case 'name':
      return { state: 'confirmed', person: request.person };
    case 'reject':
      return request.person === undefined ? { state: 'rejected' } : { state: 'rejected', person: request.person };
    case 'not_a_face':
      return { state: 'not_a_face' };
    case 'ignore':
      return { state: 'ignored' };
    case 'clear':
      return { state: 'auto' };
  }
}

/** The person a request refers to who must exist already (`confirm`, and `reject` naming one). */
function existingPersonOf(request: LabelRequest): string | undefined {
  if (request.action === 'confirm') return request.person;
  if (request.action === 'reject') return request.person;
  return undefined;
}

/** What an action on `count` faces did, in the words the page shows beside its undo button. */
function describeAction(request: LabelRequest, count: number): string {
  const faces = count === 1 ? '1 face' : `${count} faces`;
  switch (request.action) {
    case 'confirm':
    case 'name':
      return `${faces} named ${request.person}`;
    case 'reject':
      return `${faces} rejected`;
    case 'not_a_face':
      return `${faces} marked not a face`;
    case 'ignore':
      return `${faces} ignored`;
    case 'clear':
      return `${faces} cleared`;
  }
}

// ---- The change event ----
/*
 * The one event a label change sends (issue 16 §3): what a person did, published after its
 * transaction commits. The daemon's training, each plugin's delivery loop and clustering subscribe; the HTTP routes
 * publish. Labels written by another process (`facetag label`) are not seen here: the training
 * service's fingerprint poll notices those.
 */

export type LabelChange =
  /** Named, confirmed, rejected, ignored, "not a face" or cleared: one face or a whole group. */
  | { readonly kind: 'faces-labelled'; readonly faceIds: readonly number[] }
  | { readonly kind: 'label-action-undone'; readonly actionId: number }
  | { readonly kind: 'person-renamed'; readonly personId: number }
  | { readonly kind: 'persons-merged'; readonly from: number; readonly into: number }
  /** A face a person drew on a photo the detector missed. */
  | { readonly kind: 'face-drawn'; readonly faceId: number };

export type LabelListener = (change: LabelChange) => void;

export interface LabelChanges {
  publish(change: LabelChange): void;
  /** Returns the unsubscribe. */
  subscribe(listener: LabelListener): () => void;
}

/**
 * An in-process hub. A listener that throws does not keep the change from the others: its error
 * goes to `onListenerError` (the daemon logs it), since the label itself is already stored.
 */
export function labelChanges(onListenerError: (err: unknown, change: LabelChange) => void): LabelChanges {
  const listeners = new Set<LabelListener>();
  return {
    publish(change) {
      for (const listener of [...listeners]) {
        try {
          listener(change);
        } catch (err) {
          onListenerError(err, change);
        }
      }
    },
    subscribe(listener) {
      const own = (change: LabelChange) => listener(change);
      listeners.add(own);
      return () => {
        listeners.delete(own);
      };
    },
  };
}
