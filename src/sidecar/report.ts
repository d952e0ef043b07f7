/**
 * What the sidecar writer did that the user should know about, kept by the xmp plugin in its
 * state folder (`<dataDir>/plugins/<id>/sidecar-report.json`) so that `facetag status` (another
 * process) and `/metrics` read the same numbers, and so that a notice is logged once per file,
 * not at every delivery, across restarts too.
 *
 * Notices are the cases that leave a name out of a sidecar; each stays open for its photo until a
 * later delivery no longer meets it (the user fixed it) or the photo goes. Outcomes are the
 * cases where facetag chose to do less than a write: each is counted when it happens.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import { writeFileAtomic } from '../files/atomic.js';
import { errnoCode } from '../files/errno.js';
import type { WriteSidecarsResult } from './write.js';

export const SIDECAR_REPORT_FILE = 'sidecar-report.json';

export const SIDECAR_NOTICE_CASES = [
  'symlink',
  'read_only',
  'shared',
  'not_a_file',
  'foreign_region',
  'name_refused',
] as const;
export const SIDECAR_OUTCOME_CASES = ['unchanged', 'cleared', 'deleted'] as const;
export type SidecarNoticeCase = (typeof SIDECAR_NOTICE_CASES)[number];
export type SidecarOutcomeCase = (typeof SIDECAR_OUTCOME_CASES)[number];
export type SidecarCase = SidecarNoticeCase | SidecarOutcomeCase;
export const SIDECAR_CASES: readonly SidecarCase[] = [...SIDECAR_NOTICE_CASES, ...SIDECAR_OUTCOME_CASES];

/** One file's notice: the sidecar (or, for faces, the photo) it is about, and why. */
export interface SidecarNotice {
  readonly case: SidecarNoticeCase;
  readonly path: string;
  readonly reason: string;
}

const noticeSchema = z.strictObject({
  case: z.enum(SIDECAR_NOTICE_CASES),
  path: z.string(),
  reason: z.string(),
  since: z.number(),
});
export type OpenNotice = z.infer<typeof noticeSchema>;

const totalsSchema = z.record(z.string(), z.int().nonnegative());
const reportSchema = z.strictObject({
  version: z.literal(1),
  totals: totalsSchema,
  /** Open notices per photo path. */
  open: z.record(z.string(), z.array(noticeSchema)),
});
type ReportData = z.infer<typeof reportSchema>;

/** Photos with open notices kept at most (the oldest go first); the totals still count them all. */
const MAX_OPEN_PHOTOS = 5000;
/** Counter-only changes are saved at most this often; notices are saved at once. */
const SAVE_DELAY_MS = 1000;

/** What one delivery's write said, as notices and outcomes. */
export function sidecarNotices(
  photoPath: string,
  result: WriteSidecarsResult,
): { notices: SidecarNotice[]; outcomes: SidecarOutcomeCase[] } {
  const notices: SidecarNotice[] = [];
  const kindCase = {
    symlink: 'symlink',
    'read-only': 'read_only',
    shared: 'shared',
    'not-a-file': 'not_a_file',
  } as const;
  for (const s of result.skippedPaths) {
    if (!notices.some((n) => n.path === s.path && n.case === kindCase[s.kind])) {
      notices.push({ case: kindCase[s.kind], path: s.path, reason: s.reason });
    }
  }
  const faces = (kinds: readonly string[]) =>
    result.facesSkipped.filter((f) => kinds.includes(f.kind)).map((f) => `face ${f.faceId}: ${f.reason}`);
  const covered = faces(['foreign-region', 'tagged-elsewhere']);
  if (covered.length > 0) notices.push({ case: 'foreign_region', path: photoPath, reason: covered.join('; ') });
  const refused = faces(['name']);
  if (refused.length > 0) notices.push({ case: 'name_refused', path: photoPath, reason: refused.join('; ') });
  const outcomes: SidecarOutcomeCase[] = [
    ...result.unchanged.map(() => 'unchanged' as const),
    ...result.cleared.map(() => 'cleared' as const),
    ...result.deleted.map(() => 'deleted' as const),
  ];
  return { notices, outcomes };
}

export interface ObserveChange {
  readonly opened: readonly OpenNotice[];
  readonly closed: readonly OpenNotice[];
}

/** The plugin's report: observe each delivery, save now and then, read by status and metrics. */
export class SidecarReport {
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;
  private saving: Promise<void> = Promise.resolve();

  private constructor(
    private readonly file: string,
    private readonly data: ReportData,
  ) {}

  /** The saved report, or a fresh one (a file that cannot be read as one is started afresh). */
  static async load(stateDir: string, onBadFile?: (reason: string) => void): Promise<SidecarReport> {
    const file = join(stateDir, SIDECAR_REPORT_FILE);
    let text: string | undefined;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') onBadFile?.(`cannot read ${file}: ${String(err)}`);
    }
    const data = text === undefined ? undefined : parseReport(text);
    if (text !== undefined && !data) onBadFile?.(`${file} is not a sidecar report; starting a new one`);
    return new SidecarReport(file, data ?? { version: 1, totals: {}, open: {} });
  }

  /** Records one delivery for `photoPath`; returns the notices that opened and closed. */
  observe(
    photoPath: string,
    notices: readonly SidecarNotice[],
    outcomes: readonly SidecarOutcomeCase[],
    now: number,
  ): ObserveChange {
    const before = this.data.open[photoPath] ?? [];
    const key = (n: { case: string; path: string }) => `${n.case}\u0000${n.path}`;
    const nowKeys = new Set(notices.map(key));
    const beforeByKey = new Map(before.map((n) => [key(n), n]));
    const opened: OpenNotice[] = [];
    const after: OpenNotice[] = notices.map((n) => {
      const was = beforeByKey.get(key(n));
      if (was) return { ...was, reason: n.reason };
      const fresh = { ...n, since: now };
      opened.push(fresh);
      return fresh;
    });
    const closed = before.filter((n) => !nowKeys.has(key(n)));
    for (const n of opened) this.count(n.case);
    for (const o of outcomes) this.count(o);
    delete this.data.open[photoPath];
    if (after.length > 0) this.data.open[photoPath] = after;
    this.trim();
    const reworded = after.some((n) => {
      const was = beforeByKey.get(key(n));
      return was !== undefined && was.reason !== n.reason;
    });
    const changed = opened.length > 0 || closed.length > 0 || reworded;
    if (changed || outcomes.length > 0) this.markDirty(changed);
    return { opened, closed };
  }

  /** The photo is gone (removed, or moved away from this path): its notices close. */
  forget(photoPath: string): readonly OpenNotice[] {
    const closed = this.data.open[photoPath] ?? [];
    if (closed.length > 0) {
      delete this.data.open[photoPath];
      this.markDirty(true);
    }
    return closed;
  }

  /** Saves now if anything changed; one save at a time. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.dirty) return this.saving;
    this.dirty = false;
    const text = `${JSON.stringify(this.data)}\n`;
    this.saving = this.saving.then(() => writeFileAtomic(this.file, text));
    return this.saving;
  }

  private count(c: SidecarCase): void {
    this.data.totals[c] = (this.data.totals[c] ?? 0) + 1;
  }

  private trim(): void {
    const photos = Object.keys(this.data.open);
    if (photos.length <= MAX_OPEN_PHOTOS) return;
    const since = (p: string) => Math.min(...(this.data.open[p] ?? []).map((n) => n.since));
    const oldest = photos.sort((a, b) => since(a) - since(b)).slice(0, photos.length - MAX_OPEN_PHOTOS);
    for (const p of oldest) delete this.data.open[p];
  }

  private markDirty(now: boolean): void {
    this.dirty = true;
    if (now) {
      void this.flush().catch(() => undefined);
    } else {
      this.timer ??= setTimeout(() => void this.flush().catch(() => undefined), SAVE_DELAY_MS).unref();
    }
  }
}

function parseReport(text: string): ReportData | undefined {
  try {
    const r = reportSchema.safeParse(JSON.parse(text));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

/** Every xmp instance's report, summed: what `facetag status` and `/metrics` show. */
export interface SidecarSummary {
  /** Times each case happened (notices: files that met it), since the report was started. */
  readonly totals: Readonly<Record<SidecarCase, number>>;
  /** Files with an open notice now, per case. */
  readonly open: Readonly<Record<SidecarNoticeCase, number>>;
  /** The open notices, newest first, at most `limit`. */
  readonly notices: readonly OpenNotice[];
}

/** Reads `<dataDir>/plugins/<id>/sidecar-report.json` of every plugin instance (sync: small files). */
export function readSidecarSummary(dataDir: string, limit = 20): SidecarSummary {
  const totals = Object.fromEntries(SIDECAR_CASES.map((c) => [c, 0])) as Record<SidecarCase, number>;
  const open = Object.fromEntries(SIDECAR_NOTICE_CASES.map((c) => [c, 0])) as Record<SidecarNoticeCase, number>;
  const notices: OpenNotice[] = [];
  const dir = join(dataDir, 'plugins');
  let ids: string[] = [];
  try {
    ids = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    // No plugins folder yet: nothing reported.
  }
  for (const id of ids) {
    let text: string;
    try {
      text = readFileSync(join(dir, id, SIDECAR_REPORT_FILE), 'utf8');
    } catch {
      continue;
    }
    const data = parseReport(text);
    if (!data) continue;
    for (const c of SIDECAR_CASES) totals[c] += data.totals[c] ?? 0;
    for (const list of Object.values(data.open)) {
      for (const n of list) {
        open[n.case] += 1;
        notices.push(n);
      }
    }
  }
  notices.sort((a, b) => b.since - a.since || a.path.localeCompare(b.path));
  return { totals, open, notices: notices.slice(0, limit) };
}
