import { createLabelling } from '../labelling/labelling.js';
import { checkPersonName } from '../names/person-name.js';
import { personByName, personFaceCounts } from '../store/faces.js';
import { InputError, parse, UsageError } from './args.js';
import { openStoreForCommand } from './open-store.js';
import { formatTable } from './table.js';

export const personsUsage = `facetag persons [list | rename OLD NEW | merge FROM INTO] [--json] [--data-dir DIR] [--config FILE]
  Lists persons with their confirmed and suggested faces, renames one, or merges one into another
  (labels and suggestions move; the daemon retrains after a pause).`;

export async function personsCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    json: { type: 'boolean' },
    'data-dir': { type: 'string' },
    config: { type: 'string' },
  });
  const [action = 'list', a, b, ...extra] = positionals;
  const usageLine = personsUsage.split('\n')[0] ?? personsUsage;
  if (extra.length || (action === 'list' && a) || ((action === 'rename' || action === 'merge') && (!a || !b))) {
    throw new UsageError(usageLine);
  }
  if (!['list', 'rename', 'merge'].includes(action)) throw new UsageError(`unknown action "${action}"`);
  if (action === 'rename' && b !== undefined) {
    const name = checkPersonName(b);
    if (!name.ok) throw new InputError(`new name ${JSON.stringify(b)}: ${name.reason}`);
  }
  const { db } = openStoreForCommand('persons', values);
  try {
    if (action === 'list') {
      const rows = personFaceCounts(db);
      if (values.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      else if (rows.length === 0) process.stdout.write('no persons yet\n');
      else
        process.stdout.write(
          formatTable(
            ['id', 'person', 'confirmed', 'suggested'],
            rows.map((r) => [r.id, r.name, r.confirmed, r.suggested]),
          ),
        );
      return 0;
    }
    // rename and merge: both names were required above; this tells the compiler so.
    if (!a || !b) throw new UsageError(usageLine);
    // Another process: the daemon notices the change by its poll, so nobody here listens.
    const labelling = createLabelling({ db, now: Date.now, changes: { publish: () => {} } });
    const from = personByName(db, a);
    if (!from) throw new InputError(`no person named ${JSON.stringify(a)}`);
    if (action === 'rename') {
      const r = labelling.rename(from.id, b);
      if (!r.ok) {
        throw new InputError(
          r.problem.code === 'name-taken'
            ? `${JSON.stringify(b)} exists already: use facetag persons merge ${JSON.stringify(a)} ${JSON.stringify(b)}`
            : r.problem.message,
        );
      }
      process.stdout.write(`renamed ${a} to ${b}\n`);
      return 0;
    }
    const into = personByName(db, b);
    if (!into) throw new InputError(`no person named ${JSON.stringify(b)}`);
    const r = labelling.merge(from.id, into.id);
    if (!r.ok) throw new InputError(r.problem.message);
    process.stdout.write(`merged ${a} into ${b}\n`);
    return 0;
  } finally {
    db.close();
  }
}
