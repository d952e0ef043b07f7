/**
 * The shapes the sidecar writer's parts share (types only): what the writer is told about a photo,
 * why a face is left out, facetag's record of what it wrote, and the area and keyword field they
 * name. Kept apart so that plan.ts, regions.ts and keywords.ts depend on it and not on each other.
 */

/**
 * What the sidecar writer is told about one photo. Face rects are in the ORIENTED (displayed)
 * full-resolution frame, as the detector reports them; `imageWidth`/`imageHeight` are the STORED
 * raster's size (before EXIF orientation), which is what MWG regions are relative to.
 */
export interface SidecarFace {
  /** Centre, size and clockwise turn (degrees) of the face in the displayed frame, in pixels. */
  readonly rect: {
    readonly cx: number;
    readonly cy: number;
    readonly width: number;
    readonly height: number;
    readonly angle: number;
  };
  readonly name: string;
  readonly source: 'confirmed' | 'auto';
  readonly faceId: number;
  /** The classifier's decision value for an auto-named face; the write policy compares it. */
  readonly value?: number | undefined;
}

export interface SidecarInput {
  readonly photoPath: string;
  readonly imageWidth: number;
  readonly imageHeight: number;
  /** EXIF Orientation of the photo, 1..8. */
  readonly orientation: number;
  readonly faces: readonly SidecarFace[];
}

/** Why a face has no region of ours in a sidecar. */
export type FaceSkipKind =
  /** The write policy: an auto name below the threshold, or without a decision value. */
  | 'policy'
  /** A name the name rule refuses (only a name stored before the rule can be one). */
  | 'name'
  | 'outside'
  /** Another tool's region covers the face under another name: that name stands. */
  | 'foreign-region'
  /** Another tool's region covers the face under the same name: the keywords are still ours. */
  | 'tagged-elsewhere';

export interface FaceSkip {
  readonly faceId: number;
  readonly kind: FaceSkipKind;
  readonly reason: string;
}

export interface RegionRecord {
  readonly faceId: number;
  readonly name: string;
  /** The MWG area we wrote (centre-based, stored frame). */
  readonly area: NormalizedArea;
}

export interface Provenance {
  readonly regions: readonly RegionRecord[];
  readonly keywords: Readonly<Record<KeywordField, readonly string[]>>;
  /**
   * Per keyword field we created: the user's keywords we seeded it with (keywords.ts). The
   * field goes with our last entry if it still holds just these; kept only while we own entries.
   */
  readonly seeded: Readonly<Record<KeywordField, readonly string[]>>;
  /** The tiff:Orientation value we wrote, if we wrote it. */
  readonly orientation: string | undefined;
  /** The AppliedToDimensions we wrote, as "W×H" pixels, if we wrote them. */
  readonly appliedToDimensions: string | undefined;
  /**
   * Set when facetag created the sidecar: the residueDigest of what it would hold without our
   * additions. Not content of its own: a record with only this is not written.
   */
  readonly created: string | undefined;
}

/** A box as fractions (0..1) of an image: centre (x, y) and size (w, h). */
export interface NormalizedArea {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

export type KeywordField = 'subject' | 'hierarchicalSubject' | 'tagsList' | 'personInImage';
