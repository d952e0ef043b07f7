/**
 * What a person asks to do to a face's label, in the words the page, the HTTP API and `facetag
 * label` share, and what each request becomes in the store.
 */
import type { LabelAction } from '../store/faces.js';

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
export function storeAction(request: LabelRequest): LabelAction {
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
export function existingPersonOf(request: LabelRequest): string | undefined {
  if (request.action === 'confirm') return request.person;
  if (request.action === 'reject') return request.person;
  return undefined;
}

/** What an action on `count` faces did, in the words the page shows beside its undo button. */
export function describeAction(request: LabelRequest, count: number): string {
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
