import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as z from 'zod';
import { pluginsSchema } from '../../src/config/plugins.js';
import type { PluginFace } from '../../src/plugins/api.js';
import { facesToWrite, mapPath, pathUnder } from '../../src/plugins/builtin/common.js';
import { BUILTIN_PLUGINS } from '../../src/plugins/builtin/index.js';
import { checkInstance, checkPluginExport, parseOptions } from '../../src/plugins/loader.js';
import { first } from '../helpers/items.js';

const builtin = (name: string) => {
  const p = BUILTIN_PLUGINS.get(name);
  assert.ok(p, name);
  return p;
};

const good = {
  name: 'good',
  apiVersion: 1,
  optionsSchema: z.strictObject({ greeting: z.string().default('hi') }),
  create: () => ({ photoTagged: async () => {}, photoRemoved: async () => {} }),
};

test('a plugin export is found as default or `plugin`, and its shape and apiVersion are checked', () => {
  assert.equal(checkPluginExport({ default: good }, 'x.js').name, 'good');
  assert.equal(checkPluginExport({ plugin: good }, 'x.js').name, 'good');
  assert.throws(() => checkPluginExport({ other: good }, 'x.js'), /x\.js: exports no plugin/);
  assert.throws(
    () => checkPluginExport({ default: { ...good, create: 'no' } }, 'x.js'),
    /not a facetag plugin: create/,
  );
  assert.throws(
    () => checkPluginExport({ default: { ...good, optionsSchema: {} } }, 'x.js'),
    /optionsSchema\.safeParse: must be a function/,
  );
  assert.throws(
    () => checkPluginExport({ default: { ...good, apiVersion: 2 } }, 'x.js'),
    /"good" is written for plugin API v2; this facetag supports v1/,
  );
});

test('options are checked by the plugin schema; errors name the plugin and the field', () => {
  assert.deepEqual(parseOptions(checkPluginExport({ default: good }, 'g'), 'good', {}), { greeting: 'hi' });
  assert.throws(
    () => parseOptions(builtin('immich'), 'immich', { baseUrl: 'http://x' }),
    /plugin immich: invalid options: options\.apiKey/,
  );
  assert.throws(
    () => parseOptions(builtin('immich'), 'gallery', { baseUrl: 'ftp://x', apiKey: 'k' }),
    /plugin gallery: invalid options: options\.baseUrl/,
  );
  assert.throws(
    () => parseOptions(builtin('webhook'), 'hook', { url: 'https://x/h', secret: 'short' }),
    /options\.secret: use at least 16 characters/,
  );
  assert.throws(
    () => parseOptions(builtin('xmp'), 'xmp', { autoTreshold: 1 }),
    /options: Unrecognized key.*autoTreshold/,
  );
  assert.throws(
    () => parseOptions(builtin('photoprism'), 'pp', { baseUrl: 'http://p', token: 't' }),
    /options\.originalsPath/,
  );
  // A schema that does not behave like zod is reported, not trusted.
  const weird = { ...good, optionsSchema: { safeParse: () => 42 } };
  assert.throws(() => parseOptions(checkPluginExport({ default: weird }, 'w'), 'w', {}), /its options schema failed/);
});

test('what create() returns must have the event methods', () => {
  assert.throws(
    () => checkInstance({ photoTagged: async () => {} }, 'p'),
    /plugin p: create\(\) returned photoRemoved/,
  );
  assert.throws(() => checkInstance(undefined, 'p'), /plugin p: create\(\) returned/);
  class Instance {
    async photoTagged() {}
    async photoRemoved() {}
  }
  assert.ok(checkInstance(new Instance(), 'p'), 'methods on a prototype count');
});

test('config: two entries with one id are refused; enabled and deadline have defaults', () => {
  const ok = pluginsSchema.parse([{ name: 'xmp' }, { name: 'webhook', id: 'hook-a', options: { url: 'x' } }]);
  const xmp = first(ok, 'parsed plugins');
  assert.equal(xmp.enabled, true);
  assert.equal(xmp.deadlineSeconds, 30);
  const dup = pluginsSchema.safeParse([{ name: 'webhook' }, { name: 'webhook' }]);
  assert.equal(dup.success, false);
  assert.match(JSON.stringify(dup.error?.issues), /already called \\"webhook\\"/);
  assert.equal(pluginsSchema.safeParse([{ name: 'xmp', id: 'Bad Id' }]).success, false);
  assert.equal(pluginsSchema.safeParse([{ name: 'xmp', colour: 'red' }]).success, false);
});

test('paths map by whole components; PhotoPrism names are relative to its originals', () => {
  const map = [{ from: '/srv/photos', to: '/mnt/library' }];
  assert.equal(mapPath('/srv/photos/2020/a.jpg', map), '/mnt/library/2020/a.jpg');
  assert.equal(mapPath('/srv/photos-old/a.jpg', map), '/srv/photos-old/a.jpg');
  assert.equal(mapPath('/elsewhere/a.jpg', map), '/elsewhere/a.jpg');
  assert.equal(pathUnder('/srv/photos', '/srv/photos/2020/a.jpg'), '2020/a.jpg');
  assert.equal(pathUnder('/srv/photos', '/srv/other/a.jpg'), undefined);
  assert.equal(pathUnder('/srv/photos', '/srv/photos/..x/a.jpg'), '..x/a.jpg');
});

test('the write policy: confirmed always, auto at or above the threshold, never without a value', () => {
  const face = (source: 'confirmed' | 'auto', value: number | null): PluginFace => ({
    faceId: 1,
    name: 'A',
    source,
    value,
    rect: { cx: 0, cy: 0, width: 1, height: 1, angle: 0 },
    box: { x: 0, y: 0, width: 1, height: 1 },
  });
  const faces = [face('confirmed', null), face('auto', 0.5), face('auto', 0.49), face('auto', null)];
  assert.equal(facesToWrite(faces, { autoThreshold: 0.5, writeAuto: true }).length, 2);
  assert.equal(facesToWrite(faces, { autoThreshold: 0.5, writeAuto: false }).length, 1);
});
