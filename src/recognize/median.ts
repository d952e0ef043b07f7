/** The seed's scaler size: `int(np.median(heights))`, `int(np.median(widths))` over every chip. */
export function medianSize(chips: readonly { readonly width: number; readonly height: number }[]): {
  width: number;
  height: number;
} {
  if (chips.length === 0) throw new RangeError('median size of no chips');
  return { width: median(chips.map((c) => c.width)), height: median(chips.map((c) => c.height)) };
}

/** numpy's median (mean of the two middle values for an even count), truncated as Python's int() does. */
function median(values: number[]): number {
  const sorted = values.slice().sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  // medianSize passes at least one value, so the middle indices exist.
  const m = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return Math.trunc(m);
}
