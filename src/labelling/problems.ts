/**
 * Every way a label action can be refused, with its code, its message in plain words and the HTTP
 * status the API answers with: one registry (like fastify's error codes), so the page, the API
 * and the CLI say the same thing and the messages are tested once (test/unit/labelling.test.ts).
 */

export interface LabelProblem {
  readonly code: string;
  /** The status the HTTP API answers with. */
  readonly status: 400 | 404 | 409 | 422;
  readonly message: string;
  /** Extra fields for an API client (e.g. the id of the person who has the name). */
  readonly details?: Readonly<Record<string, number>>;
}

const quoted = (s: string): string => JSON.stringify(s);

export const problems = {
  faceNotFound: (faceId: number): LabelProblem => ({
    code: 'face-not-found',
    status: 404,
    message: `face ${faceId} not found`,
  }),
  unknownPerson: (name: string): LabelProblem => ({
    code: 'unknown-person',
    status: 422,
    message: `no person is named ${quoted(name)}; the "name" action creates one`,
  }),
  nothingToReject: (faceId: number): LabelProblem => ({
    code: 'nothing-to-reject',
    status: 409,
    message: `face ${faceId} has no suggestion to reject`,
  }),
  invalidName: (reason: string): LabelProblem => ({
    code: 'invalid-person-name',
    status: 422,
    message: reason,
  }),
  actionNotFound: (actionId: number): LabelProblem => ({
    code: 'action-not-found',
    status: 404,
    message: `action ${actionId} not found`,
  }),
  alreadyUndone: (actionId: number): LabelProblem => ({
    code: 'already-undone',
    status: 409,
    message: `action ${actionId} was undone already`,
  }),
  personNotFound: (personId: number): LabelProblem => ({
    code: 'person-not-found',
    status: 404,
    message: `person ${personId} not found`,
  }),
  mergeTargetNotFound: (personId: number): LabelProblem => ({
    code: 'target-not-found',
    status: 404,
    message: `person ${personId} (the merge target) not found`,
  }),
  samePerson: (): LabelProblem => ({
    code: 'same-person',
    status: 400,
    message: 'a person cannot be merged into itself',
  }),
  nameTaken: (name: string, existingId: number): LabelProblem => ({
    code: 'name-taken',
    status: 409,
    message: `a person named ${quoted(name)} exists: merge into it instead`,
    details: { existingId },
  }),
  photoNotFound: (photoId: number): LabelProblem => ({
    code: 'photo-not-found',
    status: 404,
    message: `photo ${photoId} not found`,
  }),
  photoNotAnalysed: (photoId: number): LabelProblem => ({
    code: 'photo-not-analysed',
    status: 409,
    message: `photo ${photoId} is not analysed yet`,
  }),
} as const;
