/**
 * The one name rule (src/names/person-name.ts): what a person's name may be, the same wherever a
 * name enters.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { labelBody, parseBody, renameBody } from '../../src/http/validate.js';
import {
  checkPersonName,
  normalisePersonName,
  PERSON_NAME_MAX,
  RESERVED_PERSON_NAMES,
} from '../../src/names/person-name.js';
import { BACKGROUND_FACE, NOT_A_FACE, personLabelProblem, REJECTED_FACE } from '../../src/recognize/labelled-chips.js';

const LEGITIMATE = ['Ann', 'Smith, John', 'a/b|c', 'AC\\DC', 'Zoë Ñandú 李', 'O’Brien <&> "x"', '👩‍👩‍👧 Family'];

test('legitimate names are taken as they are, trimmed', () => {
  for (const name of LEGITIMATE) assert.deepEqual(checkPersonName(name), { ok: true, name });
  assert.deepEqual(checkPersonName('  Smith, John \n'), { ok: true, name: 'Smith, John' });
  assert.equal(checkPersonName('x'.repeat(PERSON_NAME_MAX)).ok, true);
  // Characters, not UTF-16 units: 200 emoji are 200 characters.
  assert.equal(checkPersonName('😀'.repeat(PERSON_NAME_MAX)).ok, true);
});

test('refused names get a reason', () => {
  const cases: [string, RegExp][] = [
    ['', /empty/],
    ['   ', /empty/],
    ['x'.repeat(PERSON_NAME_MAX + 1), /at most 200 characters \(this has 201\)/],
    ['tab\there', /control characters \(it has U\+0009\)/],
    ['nul\u0000', /control/],
    ['c1\u0085', /control characters \(it has U\+0085\)/],
    ['line\u2028break', /line breaks/],
    ['non\uffffchar', /noncharacters/],
    ['lone \ud800 surrogate', /lone surrogate/],
    ['not_a_face', /reserved/],
    ['.rejected', /reserved/],
  ];
  for (const [name, reason] of cases) {
    const r = checkPersonName(name);
    assert.equal(r.ok, false, JSON.stringify(name));
    assert.match(r.ok ? '' : r.reason, reason, JSON.stringify(name));
  }
});

test('the training labels that are not persons are all reserved', () => {
  assert.deepEqual([...RESERVED_PERSON_NAMES].sort(), [BACKGROUND_FACE, NOT_A_FACE, REJECTED_FACE].sort());
});

test('every entry point uses the rule: store, API (422 with the reason), folder labels', () => {
  for (const name of LEGITIMATE) {
    assert.equal(normalisePersonName(name), name);
    assert.deepEqual(parseBody(renameBody, { name }), { name });
  }
  assert.equal(normalisePersonName('not_a_face'), undefined);
  assert.throws(() => parseBody(renameBody, { name: 'a\u0007b' }), {
    status: 422,
    message: /^invalid request body: name: a name must not contain control characters/,
  });
  assert.throws(() => parseBody(labelBody, { action: 'name', person: '' }), {
    status: 422,
    message: /person: .*empty/,
  });
  // A malformed body stays a 400, even with a refused name beside the fault.
  assert.throws(() => parseBody(labelBody, { action: 'name', person: 7 }), { status: 400 });
  assert.throws(() => parseBody(renameBody, { name: 'x\u0000', extra: 1 }), { status: 400 });
  // Folder labels: a person's name that is also a usable folder name, or not_a_face.
  assert.equal(personLabelProblem('Smith, John'), undefined);
  assert.equal(personLabelProblem(NOT_A_FACE), undefined);
  assert.match(personLabelProblem('a\u0085b') ?? '', /control/);
  assert.match(personLabelProblem('.hidden') ?? '', /dot/);
});
