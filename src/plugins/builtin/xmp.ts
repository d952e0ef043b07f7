/**
 * `xmp`: writes the photo's faces into its XMP sidecar(s) with src/sidecar (merge, atomic replace,
 * the photo itself only ever read). One event per file: copies of the same bytes get their own
 * events, so only `event.path` is written here. A removed photo's sidecar is left alone: it is the
 * user's file, and may hold other tools' data.
 *
 * A sidecar that cannot be written for reasons of its own (it does not parse, is not UTF-8) is
 * that photo's failure (api.ts photoFailed): parked after a few tries and retried when the sidecar
 * changes, while other photos' sidecars go on being written. Only a fault of the whole disk (full,
 * I/O error, read-only mount) is the plugin's, and can trip it.
 */
import * as z from 'zod';
import { errnoCode } from '../../files/errno.js';
import {
  personNameProblem,
  type SidecarFace,
  SidecarInputError,
  SidecarWriteError,
  writeSidecars,
} from '../../sidecar/index.js';
import { definePlugin, PLUGIN_API_VERSION, type PluginContext } from '../api.js';
import { policyOptions } from './common.js';

const optionsSchema = z.strictObject({ ...policyOptions });

export const xmpPlugin = definePlugin({
  name: 'xmp',
  apiVersion: PLUGIN_API_VERSION,
  optionsSchema,
  create(options, ctx) {
    const policy = { autoThreshold: options.writeAuto ? options.autoThreshold : Number.POSITIVE_INFINITY };
    return {
      async photoTagged(event) {
        const faces: SidecarFace[] = [];
        for (const f of event.faces) {
          // The sidecar input refuses the whole photo for one unwritable name; leave that face out.
          const problem = personNameProblem(f.name);
          if (problem) {
            ctx.log.warn('face name cannot go into XMP; face left out', {
              path: event.path,
              faceId: f.faceId,
              problem,
            });
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
        let result: Awaited<ReturnType<typeof writeSidecars>>;
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
          throw sidecarError(err, event.path, ctx);
        }
        if (result.written.length > 0 || result.skippedPaths.length > 0) {
          ctx.log.debug('sidecars', {
            path: event.path,
            written: result.written,
            skipped: result.skippedPaths,
            faces: result.facesWritten.length,
          });
        }
      },
      async photoRemoved() {
        // Never delete a user's file; see the file comment.
      },
    };
  },
});

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
