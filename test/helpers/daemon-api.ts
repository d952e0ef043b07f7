/** A running daemon's HTTP API and labelling page as the browser tests drive them. */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import * as z from 'zod';
import { type Daemon, sleep, startDaemon } from './daemon.js';

const trainingBody = z.object({
  service: z
    .object({
      phase: z.string(),
      startsAt: z.number().nullable(),
      last: z.object({ finishedAt: z.number(), error: z.string().nullable() }).nullable(),
    })
    .nullable(),
});

export interface DaemonApi {
  post(path: string, body: object): Promise<unknown>;
  /** Train now and wait until that training (and any it queued) has finished. */
  trainAndWait(): Promise<void>;
}

export function daemonApi(url: () => string, token: () => string): DaemonApi {
  const post = async (path: string, body: object): Promise<unknown> => {
    const res = await fetch(`${url()}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token()}` },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    assert.ok(res.ok, `${path}: ${res.status} ${text}`);
    return JSON.parse(text);
  };
  return {
    post,
    async trainAndWait() {
      const since = Date.now();
      await post('/api/training', {});
      for (const end = Date.now() + 60_000; ; await sleep(200)) {
        const s = trainingBody.parse(await (await fetch(`${url()}/api/training`)).json()).service;
        if (s?.last?.error) assert.fail(`training failed: ${s.last.error}`);
        if (s && s.phase === 'idle' && s.last && s.last.finishedAt >= since) return;
        if (Date.now() > end) assert.fail(`training did not finish: ${JSON.stringify(s)}`);
      }
    },
  };
}

/** Click, then wait until the page has finished exactly that one action and redrawn; no error said. */
export function pageActions(page: () => Page): (click: () => Promise<void>) => Promise<void> {
  let done = 0;
  return async (click) => {
    done++;
    await click();
    await page().waitForSelector(`body[data-done="${done}"]`, { state: 'attached', timeout: 30_000 });
    const status = (await page().textContent('#status')) ?? '';
    assert.doesNotMatch(
      await page()
        .getAttribute('#status', 'class')
        .then((c) => c ?? ''),
      /error/,
      status,
    );
  };
}

/** A new tab on the labelling page with the token saved, as a family member's first visit; no page errors. */
export async function openLabellingPage(browser: Browser, url: string, token: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('dialog', (d) => void d.accept());
  await page.goto(`${url}/`);
  await page.waitForSelector('body[data-ready="true"]');
  await page.fill('#token', token);
  await page.click('#token-form button');
  await page.waitForSelector('#status:text-is("Token saved in this browser.")');
  assert.deepEqual(errors, []);
  return page;
}

/** A daemon started on `photos` with `config`, once it has analysed (or failed) `count` photos: its URL and token. */
export async function startAnalysedDaemon(options: {
  readonly photos: string;
  readonly dataDir: string;
  readonly config: string;
  readonly count: number;
  readonly timeoutMs?: number;
}): Promise<{ daemon: Daemon; url: string; token: string }> {
  const daemon = startDaemon({ photos: [options.photos], dataDir: options.dataDir, config: options.config });
  const http = await daemon.waitForLog((l) => l.msg === 'http listening', 20_000, 'http listening');
  await daemon.waitForCount(
    (l) => l.msg === 'analysed' || l.msg === 'photo failed',
    options.count,
    options.timeoutMs ?? 300_000,
    'every photo analysed',
  );
  const token = (await readFile(join(options.dataDir, 'http-token'), 'utf8')).trim();
  return { daemon, url: String(http.url), token };
}
