/**
 * `xmp`: writes the photo's faces into its XMP sidecar(s) with src/sidecar (merge, atomic replace,
 * the photo itself only ever read). One event per file: copies of the same bytes get their own
 * events, so only `event.path` is written here. A removed photo's sidecar is left alone: it is the
 * user's file, and may hold other tools' data.
 *
 * Nothing is skipped silently: every case the writer does not simply write (a symlinked, read-only
 * or shared sidecar, a face another tool's region covers, a name the rule refuses, nothing to add,
 * our last name taken out) goes into the plugin's SidecarReport. A notice is logged once per file
 * when it appears and when it clears; `facetag status` and `/metrics` read the report's counts.
 *
 * A sidecar that cannot be written for reasons of its own (it does not parse, is not UTF-8) is
 * that photo's failure (api.ts photoFailed): parked after a few tries and retried when the sidecar
 * changes, while other photos' sidecars go on being written. Only a fault of the whole disk (full,
 * I/O error, read-only mount) is the plugin's, and can trip it.
 */
import * as z from 'zod';
import type { Logger } from '../../core/logger.js';
import { errnoCode } from '../../files/errno.js';
import { personNameProblem } from '../../names/person-name.js';
import {
  type FaceSkip,
  type OpenNotice,
  type SidecarFace,
  SidecarInputError,
  SidecarReport,
  SidecarWriteError,
  sidecarNotices,
  type WriteSidecarsResult,
  writeSidecars,
} from '../../sidecar/index.js';
import { definePlugin, PLUGIN_API_VERSION, type PluginContext } from '../api.js';
import { policyOptions } from './common.js';

const optionsSchema = z.strictObject({ ...policyOptions });

/** How each notice is logged when it opens: warn when a name is missing from a sidecar. */
const NOTICE_TEXT: Record<OpenNotice['case'], string> = {
  symlink: 'sidecar is a symbolic link: not followed, not replaced; names not written there',
  read_only: 'sidecar is read-only: respected, names not written there',
  shared: 'sidecar x.xmp belongs to another photo of the same name too: not written',
  not_a_file: 'sidecar path is not a regular file: not written',
  foreign_region: "a face is covered by another tool's region: that region stands",
  name_refused: 'a stored name is refused by the name rule: face not written',
};

export const xmpPlugin = definePlugin({
  name: 'xmp',
  apiVersion: PLUGIN_API_VERSION,
  optionsSchema,
  async create(options, ctx) {
    const policy = { autoThreshold: options.writeAuto ? options.autoThreshold : Number.POSITIVE_INFINITY };
    const report = await SidecarReport.load(ctx.stateDir, (reason) => ctx.log.warn('sidecar report', { reason }));
    const observe = (path: string, result: WriteSidecarsResult): void => {
      const { notices, outcomes } = sidecarNotices(path, result);
      const change = report.observe(path, notices, outcomes, Date.now());
      // Another tool naming a face as we do loses nothing; every other notice leaves a name out.
      const conflict = result.facesSkipped.some((f) => f.kind === 'foreign-region');
      for (const n of change.opened) {
        const quiet = n.case === 'foreign_region' && !conflict;
        const fields = { path, case: n.case, file: n.path, reason: n.reason };
        if (quiet) ctx.log.info(NOTICE_TEXT[n.case], fields);
        else ctx.log.warn(NOTICE_TEXT[n.case], fields);
      }
      for (const n of change.closed) ctx.log.info('sidecar notice cleared', { path, case: n.case, file: n.path });
      for (const s of result.unchanged) ctx.log.debug('sidecar left untouched: nothing to add', { path, sidecar: s });
      for (const s of result.cleared) ctx.log.info("facetag's part taken out of sidecar", { path, sidecar: s });
      for (const s of result.deleted)
        ctx.log.info('sidecar deleted: facetag made it, nothing else was in it', { path, sidecar: s });
    };
    return {
      async photoTagged(event) {
        if (event.movedFrom) forget(ctx.log, report, event.movedFrom);
        // A name the rule refuses can only be one stored before the rule: that face is left out
        // (the writer would refuse the whole photo for it) and reported as a notice.
        const refused: FaceSkip[] = [];
        const faces: SidecarFace[] = [];
        for (const f of event.faces) {
          const problem = personNameProblem(f.name);
          if (problem) {
            refused.push({ faceId: f.faceId, kind: 'name', reason: `${JSON.stringify(f.name)}: ${problem}` });
            continue;
          }
          faces.push({
            faceId: f.faceId,
            name: f.name,
            source: f.source,
            rect: f.rect,
            ...(f.value === null ? {} : { value: f.value }),
          });
        }
        const withRefused = (r: WriteSidecarsResult): WriteSidecarsResult => ({
          ...r,
          facesSkipped: [...refused, ...r.facesSkipped],
        });
        let result: WriteSidecarsResult;
        try {
          result = await writeSidecars(
            event.path,
            {
              photoPath: event.path,
              imageWidth: event.stored.width,
              imageHeight: event.stored.height,
              orientation: event.orientation,
              faces,
            },
            { policy },
          );
        } catch (err) {
          // What was decided for the other sidecars still counts; the failure is the host's to handle.
          if (err instanceof SidecarWriteError) observe(event.path, withRefused(err.result));
          throw sidecarError(err, event.path, ctx);
        }
        observe(event.path, withRefused(result));
        if (result.written.length > 0) {
          ctx.log.debug('sidecars', { path: event.path, written: result.written, faces: result.facesWritten.length });
        }
      },
      async photoRemoved(event) {
        // Never delete a user's file; see the file comment. Its notices no longer apply.
        forget(ctx.log, report, event.path);
      },
      async stop() {
        await report.flush();
      },
    };
  },
});

function forget(log: Logger, report: SidecarReport, path: string): void {
  for (const n of report.forget(path)) log.info('sidecar notice cleared', { path, case: n.case, file: n.path });
}

/** Errors of the disk or the system rather than of one file: these are the plugin's to report. */
const SYSTEM_WIDE = new Set(['ENOSPC', 'EDQUOT', 'EIO', 'EROFS', 'EMFILE', 'ENFILE', 'ENOMEM']);

/** What a failed write means: the photo's failure (with the files to watch), or the plugin's. */
function sidecarError(err: unknown, photo: string, ctx: Pick<PluginContext, 'photoFailed'>): unknown {
  if (err instanceof SidecarWriteError) {
    if (err.failures.some((f) => SYSTEM_WIDE.has(errnoCode(f.error) ?? ''))) return err;
    return ctx.photoFailed(err.message, { watch: err.failures.map((f) => f.path) });
  }
  if (err instanceof SidecarInputError) return ctx.photoFailed(err.message);
  const code = errnoCode(err);
  // Resolving the sidecars stats the photo and its folder: a vanished or locked photo is its own.
  if (code !== undefined && !SYSTEM_WIDE.has(code)) {
    return ctx.photoFailed(err instanceof Error ? err.message : String(err), { watch: [photo] });
  }
  return err;
}
