/** How each keyword field carries a person's name (issue 15): exactly where it can, else per field. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KEYWORD_FIELDS } from '../../src/sidecar/keywords.js';

test('keyword fields carry what they can: `|` stays out of hierarchicalSubject, `/` is digiKam’s `\\` in TagsList', () => {
  const entry = (field: keyof typeof KEYWORD_FIELDS, name: string) => KEYWORD_FIELDS[field].entry(name);
  assert.equal(entry('subject', 'a/b|c'), 'a/b|c');
  assert.equal(entry('personInImage', 'a/b|c'), 'a/b|c');
  assert.equal(entry('hierarchicalSubject', 'a/b|c'), undefined);
  assert.equal(entry('hierarchicalSubject', 'AC/DC'), 'People|AC/DC');
  assert.equal(entry('tagsList', 'a/b|c'), 'People/a\\b|c');
  for (const field of ['subject', 'personInImage', 'hierarchicalSubject', 'tagsList'] as const) {
    assert.match(entry(field, 'Smith, John') ?? '', /Smith, John$/, field);
  }
});
