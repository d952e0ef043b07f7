import { createLabelling, type LabelRequest } from '../labelling/labelling.js';
import { checkPersonName } from '../names/person-name.js';
import { InputError, intFlag, parse, UsageError } from './args.js';
import { openStoreForCommand } from './open-store.js';

export const labelUsage = `facetag label FACE-ID... (--name PERSON | --reject | --ignore | --not-a-face | --clear) [--data-dir DIR] [--config FILE]
  Labels faces in the daemon's database, as the web page does: --name confirms them as PERSON
  (created if new), --reject says the suggestion is wrong, --ignore marks a stranger's face (never
  named or suggested again), --not-a-face marks detector mistakes, --clear takes a label back. Sidecars and plugins follow; the daemon retrains after a pause.`;

export async function labelCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    name: { type: 'string' },
    reject: { type: 'boolean' },
    ignore: { type: 'boolean' },
    'not-a-face': { type: 'boolean' },
    clear: { type: 'boolean' },
    'data-dir': { type: 'string' },
    config: { type: 'string' },
  });
  const chosen = [values.name !== undefined, values.reject, values.ignore, values['not-a-face'], values.clear].filter(
    Boolean,
  ).length;
  if (chosen !== 1)
    throw new UsageError('give exactly one of --name PERSON, --reject, --ignore, --not-a-face, --clear');
  if (positionals.length === 0) throw new UsageError('give at least one face id (see facetag status or the API)');
  const ids = positionals.map((p) => intFlag('face id', p, 1) as number);
  const request: LabelRequest =
    values.name !== undefined
      ? { action: 'name', person: values.name }
      : values.reject
        ? { action: 'reject' }
        : values.ignore
          ? { action: 'ignore' }
          : values['not-a-face']
            ? { action: 'not_a_face' }
            : { action: 'clear' };
  // The one name rule, with its reason, before anything is opened.
  const name = values.name === undefined ? undefined : checkPersonName(values.name);
  if (name && !name.ok) throw new InputError(`--name ${JSON.stringify(values.name)}: ${name.reason}`);
  const { db } = openStoreForCommand('label', values);
  // Another process: the daemon notices these labels by its poll, so nobody here listens.
  const labelling = createLabelling({ db, now: Date.now, changes: { publish: () => {} } });
  const problems: string[] = [];
  try {
    for (const id of ids) {
      const r = labelling.label(id, request);
      if (r.ok) process.stdout.write(`face ${id}: ${r.face.label_state}${r.face.person ? ` ${r.face.person}` : ''}\n`);
      else problems.push(r.problem.message);
    }
  } finally {
    db.close();
  }
  for (const p of problems) process.stderr.write(`facetag label: ${p}\n`);
  if (problems.length === ids.length) throw new InputError('no face was labelled');
  return problems.length ? 1 : 0;
}
