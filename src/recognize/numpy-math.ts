/**
 * Bit-exact copies of the numeric routines NumPy and glibc use on the reference machine, so that
 * HOG bins and sklearn's gamma come out identical to the last bit. See hog.ts for why it matters:
 * a gradient 1 ulp off the diagonal flips a HOG bin.
 */
const RAD_TO_DEG = 180 / Math.PI; // numpy's rad2deg multiplies by this constant

/** glibc 2.36 `hypot` (the non-FMA kernel), which `np.hypot` calls: bit-identical on normal inputs. */
export function hypot(x: number, y: number): number {
  x = Math.abs(x);
  y = Math.abs(y);
  const ax = Math.max(x, y);
  const ay = Math.min(x, y);
  if (ay <= ax * 5.551115123125783e-17) return ax + ay; // includes ay == 0
  if (ax > 1e150 || ay < 1e-150) return Math.hypot(ax, ay); // glibc rescales there; out of our range
  let h = Math.sqrt(ax * ax + ay * ay);
  let t1: number;
  let t2: number;
  if (h <= 2 * ay) {
    const d = h - ay;
    t1 = ax * (2 * d - ax);
    t2 = (d - 2 * (ax - ay)) * d;
  } else {
    const d = h - ax;
    t1 = 2 * d * (ax - 2 * ay);
    t2 = (4 * d - ay) * ay + d * d;
  }
  h -= (t1 + t2) / (2 * h);
  return h;
}

const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);
const LO = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;
const HI = 1 - LO;

/** a + b rounded to odd (Boldo–Melquiond), the step that makes the FMA emulation exact. */
function addRoundToOdd(a: number, b: number): number {
  const s = a + b;
  const bb = s - a;
  const e = a - (s - bb) + (b - bb);
  if (e === 0) return s;
  bits[0] = s;
  if ((words[LO]! & 1) === 1) return s;
  if (e > 0 === s > 0) words[LO]! += 1;
  else if (words[LO] === 0) {
    words[LO] = 0xffffffff;
    words[HI]! -= 1;
  } else words[LO]! -= 1;
  return bits[0];
}

/** Correctly rounded a * b + c (no overflow or underflow in our range). */
function fma(a: number, b: number, c: number): number {
  const p = a * b;
  let t = 134217729 * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = 134217729 * b;
  const bh = t - (t - b);
  const bl = b - bh;
  const pe = ah * bh - p + ah * bl + al * bh + al * bl;
  const s = p + c;
  const bb = s - p;
  const se = p - (s - bb) + (c - bb);
  return s + addRoundToOdd(se, pe);
}

// Coefficients of `__svml_atan28` (numpy/SVML, linux/avx512/svml_z0_atan2_d_la.s), in table order.
const A = [
  -0.00002001862183482302, 0.00022068738617221664, -0.0011535851065971401, 0.0038271503181785626, -0.009130331732910191,
  0.016904062013301985, -0.025751168869183702, 0.03400874285883992, -0.040890779973668384, 0.04672288106685626,
  -0.052386340991051356, 0.05877142369044074, -0.06665825857290697, 0.076922076093376, -0.09090900647684413,
  0.11111110634359174, -0.14285714269196445, 0.19999999999696316, -0.3333333333333111,
] as const;

/** NumPy 1.24's AVX-512 `arctan2` main path, op for op; both arguments nonzero and finite. */
function svmlAtan2(y: number, x: number): number {
  const ay = Math.abs(y);
  const ax = Math.abs(x);
  const below = ay < ax;
  const r = below ? ay / ax : -ax / ay;
  const r2 = r * r;
  const r4 = r2 * r2;
  const r8 = r4 * r4;
  let p1 = fma(A[0], r8, A[4]);
  let p2 = fma(A[1], r8, A[5]);
  let p3 = fma(A[2], r8, A[6]);
  let p4 = fma(A[3], r8, A[7]);
  p1 = fma(r8, fma(r8, fma(r8, p1, A[8]), A[12]), A[16]);
  p2 = fma(r8, fma(r8, fma(r8, p2, A[9]), A[13]), A[17]);
  p3 = fma(r8, fma(r8, fma(r8, p3, A[10]), A[14]), A[18]);
  p4 = fma(r8, fma(r8, p4, A[11]), A[15]) * r8;
  const p = fma(r4, fma(r2, p1, p2), fma(r2, p3, p4));
  let v = fma(r, p, r) + (below ? 0 : Math.PI / 2);
  if (x < 0) v = Math.PI - v;
  return y < 0 ? -v : v;
}

/** Gradients this close to |gy| = |gx| take the SVML path; elsewhere any accurate atan2 bins alike. */
const NEAR_DIAGONAL = 2 ** -40;

/** `np.rad2deg(np.arctan2(gy, gx)) % 180`, not both zero. */
export function orientation(gy: number, gx: number): number {
  const ay = Math.abs(gy);
  const ax = Math.abs(gx);
  const near = Math.abs(ay - ax) <= NEAR_DIAGONAL * Math.max(ay, ax);
  const deg = (near ? svmlAtan2(gy, gx) : Math.atan2(gy, gx)) * RAD_TO_DEG;
  const m = deg % 180; // fmod, then numpy's sign fix-up
  return m < 0 ? m + 180 : m;
}

/** NumPy's `np.sum` of a contiguous float64 run: 0 + pairwise sum with 8 accumulators. */
export function pairwiseSum(a: Float64Array, start = 0, n = a.length - start): number {
  if (n < 8) {
    let s = 0;
    for (let i = 0; i < n; i++) s += a[start + i]!;
    return s;
  }
  if (n <= 128) {
    let r0 = a[start]!;
    let r1 = a[start + 1]!;
    let r2 = a[start + 2]!;
    let r3 = a[start + 3]!;
    let r4 = a[start + 4]!;
    let r5 = a[start + 5]!;
    let r6 = a[start + 6]!;
    let r7 = a[start + 7]!;
    const end = n - (n % 8);
    let i = 8;
    for (; i < end; i += 8) {
      const j = start + i;
      r0 += a[j]!;
      r1 += a[j + 1]!;
      r2 += a[j + 2]!;
      r3 += a[j + 3]!;
      r4 += a[j + 4]!;
      r5 += a[j + 5]!;
      r6 += a[j + 6]!;
      r7 += a[j + 7]!;
    }
    let s = r0 + r1 + (r2 + r3) + (r4 + r5 + (r6 + r7));
    for (; i < n; i++) s += a[start + i]!;
    return s;
  }
  let half = Math.floor(n / 2);
  half -= half % 8;
  return pairwiseSum(a, start, half) + pairwiseSum(a, start + half, n - half);
}
