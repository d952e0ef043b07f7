/**
 * The plugin host on a real store: at-least-once delivery with backoff, order per photo, deadlines,
 * disabling a plugin that keeps failing, per-plugin progress across restarts, bounded stop, and
 * third-party plugins loaded from files (good ones run, bad ones are reported and skipped).
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as z from 'zod';
import { type PluginEntryInput, pluginsSchema } from '../../src/config/plugins.js';
import { createLogger, type Logger } from '../../src/core/logger.js';
import { createLabelling, type LabelChanges, labelChanges } from '../../src/labelling/labelling.js';
import type { FacetagPlugin, PluginEvent } from '../../src/plugins/api.js';
import { BUILTIN_PLUGINS } from '../../src/plugins/builtin/index.js';
import { type PluginHost, startPluginHost } from '../../src/plugins/host.js';
import { readPluginStatus } from '../../src/plugins/state.js';
import { type Db, openDatabase } from '../../src/store/db.js';
import { setFaceLabel } from '../../src/store/faces.js';
import { markRemoved } from '../../src/store/photos.js';
import { hashOf, seedPhoto } from '../helpers/fake-gallery.js';
import { type FakeTimers, fakeTimers, settle } from '../helpers/fake-timers.js';
import { at, take } from '../helpers/items.js';
import { tmpDir } from '../helpers/paths.js';

let root = '';
let n = 0;
before(async () => {
  root = await tmpDir('facetag-plugin-host-');
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A test plugin whose every call is decided by `behave` (throw to fail, never resolve to hang). */
type Behave = (event: PluginEvent, signal: AbortSignal, call: number) => Promise<void>;
function probe(
  name: string,
  behave: Behave,
  calls: { event: PluginEvent; at: number }[],
  clock: () => number = Date.now,
): FacetagPlugin<unknown> {
  return {
    name,
    apiVersion: 1,
    optionsSchema: z.object({}),
    create: () => {
      const handle = (event: PluginEvent, signal: AbortSignal) => {
        calls.push({ event, at: clock() });
        return behave(event, signal, calls.length);
      };
      return { photoTagged: handle, photoRemoved: handle };
    },
  };
}

interface Setup {
  readonly db: Db;
  readonly dataDir: string;
  readonly lines: string[];
  readonly log: Logger;
}

function setup(): Setup {
  const dataDir = join(root, `data-${++n}`);
  const lines: string[] = [];
  return {
    db: openDatabase(dataDir),
    dataDir,
    lines,
    log: createLogger({ write: (l) => lines.push(l), rateLimit: false, level: 'debug' }),
  };
}

function host(
  s: Setup,
  entries: PluginEntryInput[],
  plugins: FacetagPlugin<unknown>[] = [],
  baseDir?: string,
  timers?: FakeTimers,
  changes?: LabelChanges,
): Promise<PluginHost> {
  return startPluginHost({
    db: s.db,
    dataDir: s.dataDir,
    entries: pluginsSchema.parse(entries),
    log: s.log,
    ...(baseDir === undefined ? {} : { baseDir }),
    builtins: new Map([...BUILTIN_PLUGINS, ...plugins.map((p) => [p.name, p] as const)]),
    // On a fake clock the loop sleeps until the next retry is due (the idle poll is longer).
    delivery: { backoff: { baseMs: 40, maxMs: 400 }, idlePollMs: timers ? 60_000 : 20 },
    stopTimeoutMs: 300,
    ...(timers ? { timers } : {}),
    ...(changes ? { labelChanges: changes } : {}),
  });
}

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const outbox = (db: Db) =>
  z
    .array(
      z.object({ id: z.int(), delivered_at: z.int().nullable(), attempts: z.int(), last_error: z.string().nullable() }),
    )
    .parse(db.prepare('SELECT id, delivered_at, attempts, last_error FROM outbox ORDER BY id').all());

const face = (name: string) => ({ rect: { cx: 50, cy: 50, width: 20, height: 20 }, auto: { name, value: 1 } });

test('at least once: a failing delivery is retried with growing delays until it succeeds; only then is the row delivered', async () => {
  const s = setup();
  const timers = fakeTimers();
  const calls: { event: PluginEvent; at: number }[] = [];
  const flaky = probe(
    'flaky',
    async (_e, _s, call) => {
      if (call <= 3) throw new Error(`gallery down (${call})`);
    },
    calls,
    timers.now,
  );
  seedPhoto(s.db, { path: '/lib/a.jpg', hash: hashOf(1), width: 100, height: 100, faces: [face('Ann')] }, 1000);
  const h = await host(s, [{ name: 'flaky' }], [flaky], undefined, timers);
  try {
    await waitFor('a failed attempt recorded on the row', () => at(outbox(s.db), 0, 'outbox rows').attempts >= 1);
    assert.equal(at(outbox(s.db), 0, 'outbox rows').delivered_at, null, 'not delivered while failing');
    assert.match(at(outbox(s.db), 0, 'outbox rows').last_error ?? '', /^flaky: gallery down/);
    // Each retry comes exactly when its backoff ends on the host's clock (40, 80, 160 ms), not before.
    for (const [i, delay] of [40, 80, 160].entries()) {
      await waitFor(`the loop asleep after call ${i + 1}`, () => timers.pending() >= 1);
      timers.advance(delay - 1);
      await settle();
      assert.equal(calls.length, i + 1, `no call ${i + 2} before ${delay} ms`);
      timers.advance(1);
      await waitFor(`call ${i + 2}`, () => calls.length === i + 2);
    }
    await waitFor('delivered after the fourth call', () => at(outbox(s.db), 0, 'outbox rows').delivered_at !== null);
    const gaps = calls.slice(1).map((c, i) => c.at - (calls[i]?.at ?? 0));
    assert.deepEqual(gaps, [40, 80, 160]);
    assert.ok(
      calls.every((c) => c.event.eventId === at(calls, 0, 'calls').event.eventId),
      'the same event each time',
    );
    const [status] = take(h.status(), 1, 'plugin status');
    assert.equal(status.state, 'running');
    assert.equal(status.delivered, 1);
    assert.equal(status.failures, 0, 'a success resets the failure count');
  } finally {
    await h.stop();
    s.db.close();
  }
});

test('in order per photo: a later event waits for the failing earlier one of the same photo; other photos go on', async () => {
  const s = setup();
  const a = seedPhoto(
    s.db,
    { path: '/lib/a.jpg', hash: hashOf(1), width: 100, height: 100, faces: [face('Ann')] },
    1000,
  );
  seedPhoto(s.db, { path: '/lib/b.jpg', hash: hashOf(2), width: 100, height: 100, faces: [face('Ben')] }, 1001);
  setFaceLabel(s.db, at(a.faceIds, 0, 'face ids'), { state: 'confirmed', person: 'Anna' }, 1002); // a's second event
  const calls: { event: PluginEvent; at: number }[] = [];
  let aFailures = 0;
  const picky = probe(
    'picky',
    async (e) => {
      if (e.photoId === a.photoId && aFailures < 2) {
        aFailures++;
        throw new Error('not now');
      }
    },
    calls,
  );
  const h = await host(s, [{ name: 'picky', concurrency: 1 }], [picky]);
  try {
    await waitFor('every row delivered', () => outbox(s.db).every((r) => r.delivered_at !== null));
    const order = calls.map((c) => `${c.event.photoId}:${c.event.eventId}`);
    const [a1, b1, a2] = outbox(s.db).map((r) => r.id);
    assert.deepEqual(order, [
      `${a.photoId}:${a1}`,
      `${a.photoId + 1}:${b1}`,
      `${a.photoId}:${a1}`,
      `${a.photoId}:${a1}`,
      `${a.photoId}:${a2}`,
    ]);
    const last = at(calls, calls.length - 1, 'calls').event;
    assert.equal(
      last.kind === 'photo.tagged' && at(last.faces, 0, 'event faces').name,
      'Anna',
      'the current state, read at delivery',
    );
  } finally {
    await h.stop();
    s.db.close();
  }
});

test('a plugin that keeps failing is disabled and reported; the others and the outbox go on without it', async () => {
  const s = setup();
  const badCalls: { event: PluginEvent; at: number }[] = [];
  const goodCalls: { event: PluginEvent; at: number }[] = [];
  const bad = probe(
    'bad',
    async () => {
      throw new Error('HTTP 500 from the gallery');
    },
    badCalls,
  );
  const good = probe('good', async () => {}, goodCalls);
  for (let i = 0; i < 5; i++)
    seedPhoto(s.db, { path: `/lib/${i}.jpg`, hash: hashOf(10 + i), width: 100, height: 100, faces: [] }, 1000 + i);
  const h = await host(
    s,
    [{ name: 'bad', disableAfterFailures: 4, disableAfterMinutes: 0 }, { name: 'good' }],
    [bad, good],
  );
  try {
    await waitFor('bad disabled', () => h.status().find((p) => p.id === 'bad')?.state === 'disabled');
    const status = h.status().find((p) => p.id === 'bad');
    assert.match(status?.reason ?? '', /4 failures in a row.*HTTP 500 from the gallery/);
    assert.ok(
      badCalls.length >= 4 && badCalls.length <= 6,
      `stops at the threshold, no flood (${badCalls.length} calls)`,
    );
    await waitFor('good delivered everything, rows marked', () => outbox(s.db).every((r) => r.delivered_at !== null));
    assert.equal(goodCalls.length, 5);
    assert.ok(
      s.lines.some((l) => l.includes('"msg":"plugin disabled after repeated failures') && l.includes('"plugin":"bad"')),
    );
    await waitFor(
      'state file says so',
      async () => ((await readPluginStatus(s.dataDir))?.plugins.bad?.disabled ?? null) !== null,
    );
    // Disabled for this run only: the next start tries it again, from where it was.
    const calledBefore = badCalls.length;
    await h.stop();
    const h2 = await host(s, [{ name: 'bad' }, { name: 'good' }], [probe('bad', async () => {}, badCalls), good]);
    try {
      await waitFor('bad catches up', () => badCalls.length >= calledBefore + 5);
    } finally {
      await h2.stop();
    }
    assert.ok(s.lines.some((l) => l.includes('plugin was disabled in an earlier run; trying it again')));
  } finally {
    await h.stop();
    s.db.close();
  }
});

test('a call that hangs past its deadline fails and is retried; stop stays bounded with a call in flight', async () => {
  const s = setup();
  const calls: { event: PluginEvent; at: number }[] = [];
  const hang = probe(
    'hang',
    (_e, _signal, call) => (call === 1 ? new Promise<never>(() => {}) : Promise.resolve()),
    calls,
  );
  seedPhoto(s.db, { path: '/lib/h.jpg', hash: hashOf(20), width: 100, height: 100, faces: [] }, 1000);
  const h = await host(s, [{ name: 'hang', deadlineSeconds: 0.15 }], [hang]);
  try {
    await waitFor('redelivered after the deadline', () => calls.length >= 2);
    const [call1, call2] = take(calls, 2, 'calls');
    assert.ok(call2.at - call1.at >= 150 + 35, 'deadline, then backoff');
    await waitFor('delivered', () => at(outbox(s.db), 0, 'outbox rows').delivered_at !== null);
  } finally {
    await h.stop();
  }
  // A plugin hanging with a long deadline, in its calls and in its own stop(): stop aborts the
  // call, keeps the event for next time, and gives up on the plugin's stop at the bound.
  const stuckCalls: { event: PluginEvent; at: number }[] = [];
  const stuckBase = probe('stuck', () => new Promise<never>(() => {}), stuckCalls);
  let stopCalled = false;
  const stuck: FacetagPlugin<unknown> = {
    ...stuckBase,
    create: async (options, ctx) => ({
      ...(await stuckBase.create(options, ctx)),
      stop: () => {
        stopCalled = true;
        return new Promise<never>(() => {});
      },
    }),
  };
  seedPhoto(s.db, { path: '/lib/i.jpg', hash: hashOf(21), width: 100, height: 100, faces: [] }, 2000);
  const h2 = await host(s, [{ name: 'stuck', deadlineSeconds: 600 }], [stuck]);
  const started = await waitFor('call in flight', () => stuckCalls.length === 1).then(
    () => Date.now(),
    async (err) => {
      await h2.stop();
      throw err;
    },
  );
  await h2.stop();
  assert.ok(Date.now() - started < 1500, `stop took ${Date.now() - started} ms`);
  assert.ok(stopCalled, "the plugin's stop was called");
  assert.ok(s.lines.some((l) => l.includes('plugin stop took too long')));
  const state = await readPluginStatus(s.dataDir);
  assert.equal(state?.plugins.stuck?.pending.length, 1, 'the event is kept for the next start');
  s.db.close();
});

test('per-plugin progress survives a restart; a new plugin starts at the oldest undelivered event', async () => {
  const s = setup();
  const first: { event: PluginEvent; at: number }[] = [];
  seedPhoto(s.db, { path: '/lib/1.jpg', hash: hashOf(31), width: 100, height: 100, faces: [] }, 1000);
  const h1 = await host(s, [{ name: 'one' }], [probe('one', async () => {}, first)]);
  await waitFor('delivered', () => at(outbox(s.db), 0, 'outbox rows').delivered_at !== null);
  await h1.stop();
  seedPhoto(s.db, { path: '/lib/2.jpg', hash: hashOf(32), width: 100, height: 100, faces: [] }, 2000);
  markRemoved(s.db, [1], 3000);
  const again: { event: PluginEvent; at: number }[] = [];
  const fresh: { event: PluginEvent; at: number }[] = [];
  const h2 = await host(
    s,
    [{ name: 'one' }, { name: 'two' }],
    [probe('one', async () => {}, again), probe('two', async () => {}, fresh)],
  );
  try {
    await waitFor('both delivered', () => again.length === 2 && fresh.length === 2);
    const [, second, third] = outbox(s.db).map((r) => r.id);
    assert.deepEqual(
      again.map((c) => c.event.eventId),
      [second, third],
      'one continues after its cursor',
    );
    assert.deepEqual(
      fresh.map((c) => c.event.eventId),
      [second, third],
      'two starts at the oldest undelivered',
    );
    assert.deepEqual(
      fresh.map((c) => c.event.kind),
      ['photo.tagged', 'photo.removed'],
    );
    await waitFor('rows delivered', () => outbox(s.db).every((r) => r.delivered_at !== null));
  } finally {
    await h2.stop();
    s.db.close();
  }
});

test('an analysis announced for a file that is gone is not delivered as tagged; its removal is', async () => {
  const s = setup();
  const calls: { event: PluginEvent; at: number }[] = [];
  const { photoId } = seedPhoto(
    s.db,
    { path: '/lib/gone.jpg', hash: hashOf(40), width: 100, height: 100, faces: [face('Zed')] },
    1000,
  );
  markRemoved(s.db, [photoId], 2000);
  const h = await host(s, [{ name: 'seen' }], [probe('seen', async () => {}, calls)]);
  try {
    await waitFor('all delivered', () => outbox(s.db).every((r) => r.delivered_at !== null));
    assert.deepEqual(
      calls.map((c) => c.event.kind),
      ['photo.removed'],
    );
  } finally {
    await h.stop();
    s.db.close();
  }
});

test('an outbox row this code cannot read is reported and skipped; the rows after it are delivered', async () => {
  const s = setup();
  s.db
    .prepare("INSERT INTO outbox (kind, payload, created_at, next_attempt_at) VALUES ('photo.exploded', '{}', 1, 1)")
    .run();
  seedPhoto(s.db, { path: '/lib/ok.jpg', hash: hashOf(45), width: 100, height: 100, faces: [] }, 1000);
  const calls: { event: PluginEvent; at: number }[] = [];
  const h = await host(s, [{ name: 'reader' }], [probe('reader', async () => {}, calls)]);
  try {
    await waitFor('all delivered', () => outbox(s.db).every((r) => r.delivered_at !== null));
    assert.deepEqual(
      calls.map((c) => c.event.eventId),
      [2],
    );
    assert.ok(s.lines.some((l) => l.includes('unreadable outbox event skipped') && l.includes('photo.exploded')));
  } finally {
    await h.stop();
    s.db.close();
  }
});

test('third-party plugins: one from a file path loads and receives events; bad ones are reported and skipped', async () => {
  const s = setup();
  const dir = join(root, `plugins-${n}`);
  await mkdir(dir, { recursive: true });
  const out = join(dir, 'received.jsonl');
  // A plugin as a user would write it: no facetag import, its own duck-typed options schema.
  await writeFile(
    join(dir, 'recorder.mjs'),
    `import { appendFile } from 'node:fs/promises';
export default {
  name: 'recorder',
  apiVersion: 1,
  optionsSchema: {
    safeParse: (v) => typeof v?.file === 'string'
      ? { success: true, data: v }
      : { success: false, error: { issues: [{ path: ['file'], message: 'a file path is required' }] } },
  },
  create(options, ctx) {
    ctx.log.info('recorder ready');
    const record = (event) => appendFile(options.file, JSON.stringify(event) + '\\n');
    return { photoTagged: record, photoRemoved: record };
  },
};
`,
  );
  await writeFile(
    join(dir, 'future.mjs'),
    `export default { name: 'future', apiVersion: 2, optionsSchema: { safeParse: (v) => ({ success: true, data: v }) }, create() {} };\n`,
  );
  await writeFile(join(dir, 'empty.mjs'), 'export const nothing = 1;\n');
  await writeFile(join(dir, 'broken.mjs'), 'throw new Error("broken at import");\n');
  await writeFile(
    join(dir, 'no-methods.mjs'),
    `export const plugin = { name: 'nomethods', apiVersion: 1, optionsSchema: { safeParse: (v) => ({ success: true, data: v }) }, create: () => ({ photoTagged() {} }) };\n`,
  );
  seedPhoto(s.db, { path: '/lib/t.jpg', hash: hashOf(50), width: 100, height: 100, faces: [face('Tia')] }, 1000);
  const h = await host(
    s,
    [
      { name: './recorder.mjs', options: { file: out } },
      { name: './recorder.mjs', id: 'recorder-2', options: {} },
      { name: './future.mjs' },
      { name: join(dir, 'empty.mjs') },
      { name: './broken.mjs' },
      { name: './no-methods.mjs' },
      { name: 'facetag-plugin-that-does-not-exist' },
      { name: 'immich', options: { baseUrl: 'http://127.0.0.1:9' } },
      { name: './recorder.mjs', id: 'off', enabled: false },
    ],
    [],
    dir,
  );
  try {
    await waitFor('recorder got the event', async () => (await readFile(out, 'utf8').catch(() => '')).length > 0);
    const event = JSON.parse((await readFile(out, 'utf8')).trim()) as PluginEvent;
    assert.equal(event.kind, 'photo.tagged');
    assert.equal(event.kind === 'photo.tagged' && at(event.faces, 0, 'event faces').name, 'Tia');
    const byId = new Map(h.status().map((p) => [p.id, p]));
    assert.equal(byId.get('recorder')?.state, 'running');
    assert.equal(byId.get('off')?.state, 'off');
    const failed = (id: string) => {
      const p = byId.get(id);
      assert.equal(p?.state, 'failed', id);
      return p?.reason ?? '';
    };
    assert.match(failed('recorder-2'), /plugin recorder-2: invalid options: options\.file: a file path is required/);
    assert.match(failed('./future.mjs'), /written for plugin API v2; this facetag supports v1/);
    assert.match(failed(join(dir, 'empty.mjs')), /exports no plugin/);
    assert.match(failed('./broken.mjs'), /cannot load: broken at import/);
    assert.match(failed('./no-methods.mjs'), /create\(\) returned photoRemoved/);
    assert.match(failed('facetag-plugin-that-does-not-exist'), /cannot load/);
    assert.match(failed('immich'), /plugin immich: invalid options: options\.apiKey/);
    const state = await readPluginStatus(s.dataDir);
    assert.equal(state?.problems.length, 7);
    assert.ok(s.lines.some((l) => l.includes('"msg":"recorder ready"') && l.includes('"plugin":"recorder"')));
  } finally {
    await h.stop();
    s.db.close();
  }
});

test('a label committed in this process wakes the delivery loop at once; a commit nobody announces waits for the poll', async () => {
  const s = setup();
  const timers = fakeTimers();
  const calls: { event: PluginEvent; at: number }[] = [];
  const hub = labelChanges((err) => {
    throw err;
  });
  // The host sees the hub through a wrapper that counts who listens.
  let listening = 0;
  const counted: LabelChanges = {
    publish: (change) => hub.publish(change),
    subscribe: (listener) => {
      const off = hub.subscribe(listener);
      listening++;
      return () => {
        off();
        listening--;
      };
    },
  };
  const labelling = createLabelling({ db: s.db, now: timers.now, changes: hub });
  const { faceIds } = seedPhoto(
    s.db,
    { path: '/lib/a.jpg', hash: hashOf(1), width: 100, height: 100, faces: [face('Ann')] },
    1000,
  );
  const h = await host(
    s,
    [{ name: 'probe' }],
    [probe('probe', async () => {}, calls, timers.now)],
    undefined,
    timers,
    counted,
  );
  try {
    assert.equal(listening, 1, "the plugin's delivery loop listens");
    await waitFor('the analysis delivered', () => calls.length === 1);
    await waitFor('the loop asleep on its 60 s poll', () => timers.pending() >= 1);

    // Named through the labelling module: delivered with the clock standing still.
    const named = labelling.label(at(faceIds, 0, 'face ids'), { action: 'name', person: 'Bea' });
    assert.ok(named.ok);
    await waitFor('the label delivered', () => calls.length === 2);
    const event = at(calls, 1, 'calls').event;
    assert.equal(event.kind, 'photo.tagged');
    assert.equal(event.kind === 'photo.tagged' ? event.cause : undefined, 'labelled');
    assert.deepEqual(event.kind === 'photo.tagged' ? event.faces.map((f) => f.name) : [], ['Bea']);

    // The same kind of write with no change published (another process's `facetag label`) waits.
    await waitFor('the loop asleep again', () => timers.pending() >= 1);
    setFaceLabel(s.db, at(faceIds, 0, 'face ids'), { state: 'confirmed', person: 'Cy' }, timers.now());
    await settle();
    assert.equal(calls.length, 2, 'not delivered before the poll');
    timers.advance(60_000);
    await waitFor('delivered by the poll', () => calls.length === 3);
  } finally {
    await h.stop();
    s.db.close();
  }
  assert.equal(listening, 0, 'a stopped host no longer listens');
});
