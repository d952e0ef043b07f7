/**
 * The plugin contract, version 1 (documented with an example in ./README.md). A plugin module
 * exports (as `default` or `plugin`) a FacetagPlugin; the host (host.ts) validates its shape and
 * `apiVersion`, validates the configured options with the plugin's own schema, calls `create` once,
 * then delivers outbox events to the instance at least once, in order per photo, each call with a
 * deadline. Events are cues: the host reads the photo's state from the store at delivery time, so
 * a repeated or late event carries the current faces, never stale ones.
 */
import type { Logger } from '../core/logger.js';

/** Bump only for a change existing plugins cannot survive; the host refuses other versions. */
export const PLUGIN_API_VERSION = 1;

/** A face box in the displayed (EXIF-oriented) full-resolution frame, in pixels. */
export interface PluginRect {
  readonly cx: number;
  readonly cy: number;
  readonly width: number;
  readonly height: number;
  /** Clockwise turn of the face in degrees (faces are found at any angle). */
  readonly angle: number;
}

/** An axis-aligned box in whole pixels, top-left based, clipped to the displayed image. */
export interface PluginBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** A named face: confirmed by a person, or named by the recogniser (with its decision value). */
export interface PluginFace {
  readonly faceId: number;
  readonly name: string;
  readonly source: 'confirmed' | 'auto';
  /** The classifier's decision value; compare it with a threshold before showing an auto name. */
  readonly value: number | null;
  readonly rect: PluginRect;
  /** The rect's bounding box (what galleries store). */
  readonly box: PluginBox;
}

export interface PhotoTaggedEvent {
  readonly kind: 'photo.tagged';
  /** The outbox id: increases with every change, the same on a redelivery. */
  readonly eventId: number;
  /**
   * What happened: a new analysis (`analysed`), a person's label, rename or merge (`labelled`), new
   * models naming the same faces (`reclassified`), or the file moving (`moved`). Whatever the
   * cause, `faces` is the photo's state now; a plugin may treat every cause alike.
   */
  readonly cause: 'analysed' | 'labelled' | 'reclassified' | 'moved';
  readonly photoId: number;
  /** The photo's current path. */
  readonly path: string;
  /** For `moved`: the path it had before. */
  readonly movedFrom: string | null;
  /** Other present files with the same bytes (each gets its own event). */
  readonly copies: readonly string[];
  /** Lowercase hex SHA-256 of the file's bytes. */
  readonly hash: string;
  /** EXIF orientation 1..8. */
  readonly orientation: number;
  /** The pixel grid as stored in the file, before orientation (what XMP regions are relative to). */
  readonly stored: { readonly width: number; readonly height: number };
  /** The image as shown, after orientation (the frame of `faces`). */
  readonly displayed: { readonly width: number; readonly height: number };
  /** Every named face of the photo, now. May be empty (the last name was taken away). */
  readonly faces: readonly PluginFace[];
  /** Faces found on the photo, named or not; 0 means there is nothing to show for it. */
  readonly detectedFaces: number;
  /** When the change was recorded (epoch ms). */
  readonly createdAt: number;
}

export interface PhotoRemovedEvent {
  readonly kind: 'photo.removed';
  readonly eventId: number;
  readonly photoId: number;
  /** The path the file had. */
  readonly path: string;
  readonly hash: string | null;
  readonly createdAt: number;
}

export type PluginEvent = PhotoTaggedEvent | PhotoRemovedEvent;

/** What a plugin gets from the host besides its options. */
export interface PluginContext {
  /** This configured instance's id (the plugin's name unless the config gives `id`). */
  readonly id: string;
  /** Structured logger with `plugin: id` bound. */
  readonly log: Logger;
  /** Longest time one call may take; the call's AbortSignal fires then. */
  readonly deadlineMs: number;
  /** A private folder for the plugin's own files (created on first use by the plugin). */
  readonly stateDir: string;
  /**
   * An error to throw when the event cannot be handled *yet* (the gallery has not indexed the
   * photo, or answers "busy"). It is retried with backoff but does not count towards disabling.
   * `retryAfterMs` (e.g. from a Retry-After header) holds every delivery of this plugin until then.
   * An event still not delivered after `giveUpAfterAttempts` is parked (see `photoFailed`).
   */
  retryLater(reason: string, options?: RetryLaterOptions): Error;
  /**
   * An error to throw when this one event cannot be delivered, while the plugin and its target
   * work (a sidecar that does not parse, a photo the gallery does not know). It is retried a few
   * times (`parkAfterAttempts`), then parked: reported with its path and reason, no longer retried
   * on its own, never a reason to disable the plugin. A parked event is retried when the photo
   * changes (a newer event for it), when a file in `watch` changes, or on request. Added after
   * facetag 0.1.0 (still API v1); for older hosts throw an error with `code: PHOTO_FAILED` instead.
   */
  photoFailed(reason: string, options?: PhotoFailedOptions): Error;
}

export interface RetryLaterOptions {
  /** Deliver nothing to this plugin for this long (capped at one hour). */
  readonly retryAfterMs?: number;
}

export interface PhotoFailedOptions {
  /** Absolute paths whose change (size, mtime or ctime; appearing or vanishing) retries a parked event. */
  readonly watch?: readonly string[];
}

/**
 * The `code` of the errors `photoFailed` and `retryLater` make. A plugin that cannot reach the
 * context (or runs on a host before photoFailed existed) may throw any Error with this `code`
 * (and optionally `watch` / `retryAfterMs` properties): the host looks at the code, not the class.
 * Any other error is the plugin's own failure: it counts towards tripping and disabling the plugin.
 */
export const PHOTO_FAILED = 'FACETAG_PHOTO_FAILED';
export const RETRY_LATER = 'FACETAG_RETRY_LATER';

/** What `create` returns. Every method gets a signal that aborts at the deadline or on shutdown. */
export interface PluginInstance {
  start?(signal: AbortSignal): Promise<void>;
  stop?(signal: AbortSignal): Promise<void>;
  photoTagged(event: PhotoTaggedEvent, signal: AbortSignal): Promise<void>;
  photoRemoved(event: PhotoRemovedEvent, signal: AbortSignal): Promise<void>;
}

/** One issue of an options schema; zod (any version) has this shape. */
export interface OptionsIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/** The part of a zod schema the host uses, so a plugin may bring its own zod. */
export interface OptionsSchema<O> {
  safeParse(
    input: unknown,
  ):
    | { readonly success: true; readonly data: O }
    | { readonly success: false; readonly error: { readonly issues: readonly OptionsIssue[] } };
}

export interface FacetagPlugin<O> {
  readonly name: string;
  readonly apiVersion: number;
  readonly optionsSchema: OptionsSchema<O>;
  create(options: O, ctx: PluginContext): PluginInstance | Promise<PluginInstance>;
}

/** Identity, for type inference of `options` in a plugin module. */
export function definePlugin<O>(plugin: FacetagPlugin<O>): FacetagPlugin<O> {
  return plugin;
}
