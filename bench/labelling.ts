/**
 * The labelling loop end to end on ../shared/data/identity, as a family would use it: the daemon
 * analyses every photo; then, through the HTTP API, five faces per person are named; the daemon
 * retrains and re-names every other face from its stored chip. Prints how many of the remaining
 * faces came out right without help, how many wrong, and how many unknown. Not a test.
 *
 *   npm run eval:labelling -- [--per-person 5] [--engine cascade|neural]
 *
 * With the cascade it also prints how often the page's "Maybe <person>?" guess is right at each
 * decision-value floor: the page offers a guess only from the floor where it is right 90 % of the
 * time (web/best-guess.ts).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readIdentityRows } from '../src/eval/identity-rows.js';
import { openDatabase } from '../src/store/db.js';
import { type FaceRow, facesOfPhoto } from '../src/store/faces.js';
import { photoByPath } from '../src/store/photos.js';
import { boundingBox, iou } from '../src/vision/geometry.js';
import { startDaemon, writeConfig } from '../test/helpers/daemon.js';
import { repoRoot, say, table } from './common.js';

const { values } = parseArgs({
  options: { 'per-person': { type: 'string', default: '5' }, engine: { type: 'string' } },
});
const perPerson = Math.max(3, Number.parseInt(values['per-person'], 10) || 5);
const shared = process.env.FACETAG_SHARED ?? join(repoRoot(), '../shared');
const work = mkdtempSync(join(tmpdir(), 'facetag-labelling-'));

async function main(): Promise<void> {
  const photos = join(work, 'photos');
  const dataDir = join(work, 'data');
  cpSync(join(shared, 'data/identity'), photos, { recursive: true });
  rmSync(join(photos, 'labels.csv'));
  const rows = await readIdentityRows(join(shared, 'data/identity'));
  const config = await writeConfig(work, {
    ...(values.engine ? { engine: values.engine } : {}),
    // Every guess, however weak, so the floors below can be measured.
    ...(values.engine === 'cascade' ? { recognition: { guessFloor: -100 } } : {}),
    daemon: { settleMs: 300, trainDebounceSeconds: 2 },
  });
  const t0 = performance.now();
  const daemon = startDaemon({ photos: [photos], dataDir, config });
  try {
    const http = await daemon.waitForLog((l) => l.msg === 'http listening', 30_000, 'http');
    await daemon.waitForCount(
      (l) => l.msg === 'analysed' || l.msg === 'photo failed',
      rows.length,
      600_000,
      'every photo analysed',
    );
    const analysedS = (performance.now() - t0) / 1000;
    const token = readFileSync(join(dataDir, 'http-token'), 'utf8').trim();
    const db = openDatabase(dataDir);
    // The labelled person's face: the one overlapping LFW's nominal box best.
    const faceOf = (file: string): FaceRow | undefined => {
      const row = rows.find((r) => r.file === file);
      const photo = photoByPath(db, join(photos, file));
      if (!row?.nominal || !photo) return undefined;
      let best: FaceRow | undefined;
      let bestIou = 0.3;
      for (const f of facesOfPhoto(db, photo.id)) {
        const v = iou(boundingBox(f), row.nominal);
        if (v >= bestIou) [best, bestIou] = [f, v];
      }
      return best;
    };

    // Name five faces per person, in file order, through the API.
    const labelled = new Set<string>();
    const people = [...new Set(rows.map((r) => r.person))].sort();
    for (const person of people) {
      let n = 0;
      for (const row of rows.filter((r) => r.person === person)) {
        if (n === perPerson) break;
        const face = faceOf(row.file);
        if (!face) continue;
        const res = await fetch(`${String(http.url)}/api/faces/${face.id}/label`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ action: 'name', person }),
        });
        if (!res.ok) throw new Error(`labelling ${row.file}: ${res.status} ${await res.text()}`);
        labelled.add(row.file);
        n++;
      }
    }
    const t1 = performance.now();
    await daemon.waitForLog((l) => l.msg === 'trained' && Number(l.persons) > 0, 300_000, 'trained');
    const trainS = (performance.now() - t1) / 1000;

    // What the page offers for the faces left unknown: a "Maybe <person>?" group, or none.
    // Timed too: the page asks for this list on every visit and after every action.
    const requestMs: number[] = [];
    let body: unknown;
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      body = await (await fetch(`${String(http.url)}/api/unknown-faces?limit=2000`)).json();
      requestMs.push(performance.now() - t);
    }
    const answer = body as {
      groups: { guess: string | null; faces: { id: number; guessValue: number | null }[] }[];
    };
    const guessOf = new Map(answer.groups.flatMap((g) => g.faces.map((f) => [f.id, g.guess] as const)));
    const guessValueOf = new Map(answer.groups.flatMap((g) => g.faces.map((f) => [f.id, f.guessValue] as const)));
    const scored: { value: number; right: boolean }[] = [];

    let right = 0;
    let wrong = 0;
    let unknown = 0;
    let undetected = 0;
    const guesses = { right: 0, wrong: 0, none: 0 };
    for (const row of rows) {
      if (labelled.has(row.file)) continue;
      const face = faceOf(row.file);
      if (!face) undetected++;
      else if (face.predicted_person === null) {
        unknown++;
        const guess = guessOf.get(face.id) ?? null;
        if (guess === null) guesses.none++;
        else if (guess === row.person) guesses.right++;
        else guesses.wrong++;
        const value = guessValueOf.get(face.id);
        if (guess !== null && typeof value === 'number') scored.push({ value, right: guess === row.person });
      } else if (face.predicted_person === row.person) right++;
      else wrong++;
    }
    db.close();
    const rest = rows.length - labelled.size;
    const pct = (n: number) => `${n} (${((100 * n) / rest).toFixed(1)} %)`;
    say(
      `${rows.length} photos of ${people.length} people analysed in ${analysedS.toFixed(0)} s; ${labelled.size} faces named through the API (${perPerson} per person)`,
    );
    say(`retrained and re-named every face ${trainS.toFixed(1)} s after the last label`);
    say(
      `GET /api/unknown-faces (${answer.groups.reduce((n, g) => n + g.faces.length, 0)} faces, best guesses computed per request): ` +
        `${requestMs.map((ms) => ms.toFixed(0)).join(', ')} ms`,
    );
    say(
      table(
        ['remaining photos', 'count'],
        [
          ['named correctly', pct(right)],
          ['named wrongly', pct(wrong)],
          ['left unknown', pct(unknown)],
          ['face not detected', pct(undetected)],
          ['total', String(rest)],
        ],
      ),
    );
    const ofUnknown = (n: number) => `${n} (${((100 * n) / Math.max(1, unknown)).toFixed(1)} %)`;
    say(
      table(
        ["faces left unknown: the page's best guess", 'count'],
        [
          ['"Maybe <right person>?"', ofUnknown(guesses.right)],
          ['"Maybe <wrong person>?"', ofUnknown(guesses.wrong)],
          ['no guess (grouped by likeness)', ofUnknown(guesses.none)],
        ],
      ),
    );
    if (scored.length > 0) {
      say(
        table(
          ['guess floor (decision value)', 'guesses offered', 'right'],
          [-1, -0.75, -0.5, -0.25, 0].map((floor) => {
            const offered = scored.filter((g) => g.value >= floor);
            const right = offered.filter((g) => g.right).length;
            return [
              String(floor),
              String(offered.length),
              offered.length ? `${((100 * right) / offered.length).toFixed(1)} %` : '-',
            ];
          }),
        ),
      );
    }
  } finally {
    await daemon.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
