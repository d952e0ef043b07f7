/**
 * `xmp`: writes the photo's faces into its XMP sidecar(s) with src/sidecar (merge, atomic replace,
 * the photo itself only ever read). One event per file: copies of the same bytes get their own
 * events, so only `event.path` is written here. A removed photo's sidecar is left alone: it is the
 * user's file, and may hold other tools' data.
 */
import * as z from 'zod';
import { personNameProblem, type SidecarFace, writeSidecars } from '../../sidecar/index.js';
import { definePlugin, PLUGIN_API_VERSION } from '../api.js';
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
        const result = await writeSidecars(
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
