/**
 * OpenCV "new format" LBP cascade, read the way scikit-image's `Cascade` reads it:
 * only the window size, stages, stumps and feature rectangles matter.
 */
export interface CascadeModel {
  readonly windowWidth: number;
  readonly windowHeight: number;
  /** Per feature: x, y, w, h of one cell of the 3x3 MB-LBP grid (window pixels). */
  readonly features: Int32Array;
  readonly featureCount: number;
  /** Stage s owns stumps [stageStart[s], stageStart[s] + stageCount[s]). */
  readonly stageStart: Int32Array;
  readonly stageCount: Int32Array;
  /** float32 threshold minus skimage's eps (1e-5), rounded to float32 as skimage does. */
  readonly stageThreshold: Float32Array;
  readonly stumpFeature: Int32Array;
  /** 8 uint32 words per stump: the 256-bit category subset. */
  readonly stumpLut: Uint32Array;
  /** 2 values per stump: added when the LUT bit is set, and when it is not. */
  readonly stumpLeaf: Float32Array;
}

export class CascadeFormatError extends Error {
  constructor(
    readonly source: string,
    reason: string,
  ) {
    super(`${source}: not a usable LBP cascade: ${reason}`);
    this.name = 'CascadeFormatError';
  }
}

const EPS = Math.fround(1e-5);

function firstTag(xml: string, tag: string, source: string): string {
  const m = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml);
  if (!m?.[1]) throw new CascadeFormatError(source, `missing <${tag}>`);
  return m[1].trim();
}

function numbers(text: string): number[] {
  return text.trim().split(/\s+/).map(Number);
}

function block(xml: string, tag: string, source: string): string {
  const open = xml.indexOf(`<${tag}>`);
  const close = xml.indexOf(`</${tag}>`, open);
  if (open < 0 || close < 0) throw new CascadeFormatError(source, `missing <${tag}> block`);
  return xml.slice(open + tag.length + 2, close);
}

/** Parse the cascade XML text. `source` names the file in error messages. */
export function parseCascadeXml(xml: string, source = 'cascade'): CascadeModel {
  if (!/<featureType>\s*LBP\s*<\/featureType>/.test(xml)) {
    throw new CascadeFormatError(source, 'featureType is not LBP');
  }
  const windowHeight = Number(firstTag(xml, 'height', source));
  const windowWidth = Number(firstTag(xml, 'width', source));
  const stageNum = Number(firstTag(xml, 'stageNum', source));

  const rects = [...block(xml, 'features', source).matchAll(/<rect>([^<]*)<\/rect>/g)].map((m) => numbers(m[1] ?? ''));
  const features = new Int32Array(rects.length * 4);
  rects.forEach((r, i) => {
    if (r.length !== 4 || r.some((v) => !Number.isInteger(v) || v < 0)) {
      throw new CascadeFormatError(source, `feature ${i} is not four non-negative integers`);
    }
    features.set(r, i * 4);
  });

  const stageTexts = block(xml, 'stages', source)
    .split(/<maxWeakCount>/)
    .slice(1);
  if (stageTexts.length !== stageNum) {
    throw new CascadeFormatError(source, `stageNum is ${stageNum} but ${stageTexts.length} stages were found`);
  }
  const stageStart = new Int32Array(stageNum);
  const stageCount = new Int32Array(stageNum);
  const stageThreshold = new Float32Array(stageNum);
  const stumpFeature: number[] = [];
  const lut: number[] = [];
  const leaf: number[] = [];
  stageTexts.forEach((text, s) => {
    const nodes = [...text.matchAll(/<internalNodes>([^<]*)<\/internalNodes>/g)].map((m) => numbers(m[1] ?? ''));
    const leaves = [...text.matchAll(/<leafValues>([^<]*)<\/leafValues>/g)].map((m) => numbers(m[1] ?? ''));
    const weakCount = Number(text.slice(0, text.indexOf('<')));
    if (nodes.length !== weakCount || leaves.length !== weakCount) {
      throw new CascadeFormatError(source, `stage ${s} declares ${weakCount} stumps but has ${nodes.length}`);
    }
    stageStart[s] = stumpFeature.length;
    stageCount[s] = weakCount;
    stageThreshold[s] = Math.fround(Math.fround(Number(firstTag(text, 'stageThreshold', source))) - EPS);
    nodes.forEach((n, i) => {
      const l = leaves[i] ?? [];
      // Depth-1 stumps only: "left right featureIdx" then eight subset words.
      if (n.length !== 11 || l.length !== 2) {
        throw new CascadeFormatError(source, `stage ${s} stump ${i} is not a depth-1 LBP stump`);
      }
      const featureIndex = n[2] ?? -1;
      if (featureIndex < 0 || featureIndex >= rects.length) {
        throw new CascadeFormatError(source, `stage ${s} stump ${i} names feature ${featureIndex}`);
      }
      stumpFeature.push(featureIndex);
      for (let k = 3; k < 11; k++) lut.push((n[k] ?? 0) >>> 0);
      leaf.push(l[0] ?? 0, l[1] ?? 0);
    });
  });

  return {
    windowWidth,
    windowHeight,
    features,
    featureCount: rects.length,
    stageStart,
    stageCount,
    stageThreshold,
    stumpFeature: Int32Array.from(stumpFeature),
    stumpLut: Uint32Array.from(lut),
    stumpLeaf: Float32Array.from(leaf),
  };
}
