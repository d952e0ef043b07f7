/** People that faces are labelled with and models are trained for. Names are unique. */
import * as z from 'zod';
import type { Db } from './db.js';
import { prepared } from './statements.js';

const personRow = z.object({ id: z.int(), name: z.string(), created_at: z.int() });
export type PersonRow = z.infer<typeof personRow>;

/** A usable person name, trimmed, or undefined: the one rule of src/names/person-name.ts. */
export { normalisePersonName } from '../names/person-name.js';

/** The person's id, creating the person on first use. `name` must be normalised. */
export function ensurePerson(db: Db, name: string, now: number): number {
  prepared(db, 'INSERT INTO persons (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING').run(name, now);
  return z.object({ id: z.int() }).parse(prepared(db, 'SELECT id FROM persons WHERE name = ?').get(name)).id;
}

export function personByName(db: Db, name: string): PersonRow | undefined {
  const row: unknown = prepared(db, 'SELECT * FROM persons WHERE name = ?').get(name);
  return row === undefined ? undefined : personRow.parse(row);
}

export function listPersons(db: Db): PersonRow[] {
  return z.array(personRow).parse(prepared(db, 'SELECT * FROM persons ORDER BY name').all());
}
