import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { openDatabase } from '../../src/store/db.js';
import { analysedLibrary } from '../helpers/analysed-library.js';
import { cliPath } from '../helpers/detector.js';

const execFileP = promisify(execFile);
let dir = '';
let dataDir = '';
let faceIds: number[] = [];

const cli = (...args: string[]) => execFileP(process.execPath, [cliPath, ...args, '--data-dir', dataDir]);
const fails = (...args: string[]) =>
  cli(...args).then(
    () => assert.fail(`facetag ${args.join(' ')} should fail`),
    (err: { code: number; stderr: string }) => err,
  );

before(async () => {
  ({ dir, dataDir } = await analysedLibrary('facetag-label-', {
    'a.jpg': '2007_007763.jpg',
    'b.jpg': '2008_001322.jpg',
  }));
  const db = openDatabase(dataDir);
  faceIds = db.prepare('SELECT id FROM faces ORDER BY id').pluck().all() as number[];
  db.close();
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('facetag label and facetag persons name, rename and merge, as the web page will', async () => {
  assert.ok(faceIds.length >= 2, `need two faces, found ${faceIds.length}`);
  const [a, b] = faceIds;
  assert.match((await cli('label', String(a), '--name', 'Alice')).stdout, new RegExp(`face ${a}: confirmed Alice`));
  await cli('label', String(b), '--name', 'Bob');
  let list = JSON.parse((await cli('persons', '--json')).stdout) as { name: string; confirmed: number }[];
  assert.deepEqual(
    list.map((p) => [p.name, p.confirmed]),
    [
      ['Alice', 1],
      ['Bob', 1],
    ],
  );
  assert.match(
    (await fails('persons', 'rename', 'Alice', 'Bob')).stderr,
    /"Bob" exists already: use facetag persons merge/,
  );
  await cli('persons', 'rename', 'Alice', 'Alicia');
  await cli('persons', 'merge', 'Bob', 'Alicia');
  list = JSON.parse((await cli('persons', '--json')).stdout) as { name: string; confirmed: number }[];
  assert.deepEqual(
    list.map((p) => [p.name, p.confirmed]),
    [['Alicia', 2]],
  );
  assert.match((await cli('label', String(b), '--ignore')).stdout, new RegExp(`face ${b}: ignored`));
  assert.match((await cli('label', String(b), '--not-a-face')).stdout, /not_a_face/);
  const db = openDatabase(dataDir);
  const states = db.prepare('SELECT label_state FROM faces WHERE id IN (?, ?) ORDER BY id').pluck().all(a, b);
  const outbox = db.prepare('SELECT count(*) FROM outbox').pluck().get() as number;
  db.close();
  assert.deepEqual(states, ['confirmed', 'not_a_face']);
  assert.ok(outbox > 2, 'label changes are announced for sidecars and plugins');
});

test('facetag label refuses bad input with the reason', async () => {
  assert.equal((await fails('label', '1')).code, 64);
  assert.equal((await fails('label', '1', '--name', 'X', '--reject')).code, 64);
  const missing = await fails('label', '999999', '--not-a-face');
  assert.equal(missing.code, 66);
  assert.match(missing.stderr, /face 999999 not found/);
});
