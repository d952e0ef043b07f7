/**
 * Write transactions take the write lock at BEGIN, so a second process (a CLI beside the daemon)
 * waits for it instead of committing under a stale read, which fails the first with
 * SQLITE_BUSY_SNAPSHOT (seen in CI before writes were IMMEDIATE).
 */
import assert from 'node:assert/strict';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { DB_FILE, type Db, openDatabase, writeTransaction } from '../../src/store/db.js';
import { repoRoot, tmpDir } from '../helpers/paths.js';

let dir = '';
let db: Db;
let other: Database.Database;
before(async () => {
  dir = await tmpDir('facetag-store-tx-');
  db = openDatabase(join(dir, 'data'));
  other = new Database(join(dir, 'data', DB_FILE));
  other.pragma('busy_timeout = 0');
});
after(async () => {
  other.close();
  db.close();
  await rm(dir, { recursive: true, force: true });
});

const addPerson = (conn: Database.Database, name: string) =>
  conn.prepare('INSERT INTO persons (name, created_at) VALUES (?, 0)').run(name);

test('a write transaction holds the lock from its first read: another connection cannot commit in between', () => {
  writeTransaction(db, () => {
    db.prepare('SELECT count(*) FROM persons').get();
    assert.throws(() => addPerson(other, 'Interloper'), /database is locked/);
    addPerson(db, 'Ann');
  });
  addPerson(other, 'After');
  assert.deepEqual(db.prepare('SELECT name FROM persons ORDER BY id').pluck().all(), ['Ann', 'After']);
});

test('the same interleaving under a deferred transaction is the SQLITE_BUSY_SNAPSHOT failure', () => {
  assert.throws(
    () =>
      db.transaction(() => {
        db.prepare('SELECT count(*) FROM persons').get();
        addPerson(other, 'Sneaked');
        addPerson(db, 'Bea');
      })(),
    (err: unknown) => (err as { code?: string }).code === 'SQLITE_BUSY_SNAPSHOT',
  );
});

test('every store transaction that writes is a writeTransaction; only named read snapshots stay deferred', async () => {
  const storeDir = join(repoRoot, 'src', 'store');
  const readOnly = new Set(['loadStampIndex', 'changesSince', 'migrate']);
  const deferred: string[] = [];
  for (const file of await readdir(storeDir)) {
    if (!file.endsWith('.ts')) continue;
    const source = await readFile(join(storeDir, file), 'utf8');
    for (const m of source.matchAll(/db\.transaction\(/g)) {
      const before = source.slice(0, m.index);
      const line = before.slice(before.lastIndexOf('\n') + 1).trim();
      if (line.startsWith('*') || line.startsWith('//')) continue; // in a comment
      const fn = [...before.matchAll(/function (\w+)/g)].at(-1)?.[1] ?? '?';
      if (!readOnly.has(fn) && !(file === 'db.ts' && fn === 'writeTransaction')) deferred.push(`${file}: ${fn}`);
    }
  }
  assert.deepEqual(deferred, [], 'use writeTransaction(db, fn) for these');
});
