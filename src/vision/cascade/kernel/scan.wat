;; MB-LBP cascade window kernel for facetag's exact (int32) integral images.
;;
;; Source of truth for src/vision/cascade/kernel/scan-wasm.ts (base64 bytes), which
;; `node dist/scripts/build-wasm.js` regenerates; a unit test recompiles this file and
;; checks the committed bytes are identical.
;;
;; The arithmetic is the TypeScript scan's (scan.ts, scanExact) step for step, so results
;; are bit-identical: block sums in wrapping i32, signed `>=` against the centre cell, stage
;; sums in f32 (f32.add is the correctly rounded float32 sum, as Math.fround(a + b) is),
;; stage test `points < threshold` in f32. Early exits only ever drop windows that would
;; fail their stage anyway.
;;
;; Windows go four or eight at a time (neighbours in a row) through the first `pre` stages
;; with SIMD, where about 80% of them are rejected; the survivors of a row are listed and go
;; through the later stages four at a time (see `scan`).
;;
;; `rotateIntegral` builds the rotated canvas's integral in this memory (rotate.ts and
;; integral.ts in one pass, same f64 operations), so it need not be copied in.
;;
;; Memory layout (byte addresses chosen by the caller, see kernel.ts):
;;   offs   per stump, 16 x i32: byte offsets of the 4x4 cell-grid corners from a window's
;;          top-left in the integral (row-major corners (0,0), (0,1), ... (3,3));
;;          offsD and offs16 the same corners in the decimated i32 and i16 copies
;;   leaves per stump, 256 x f32: the leaf value the stump adds for each LBP code
;;   bounds per stump, f64: early-exit bound (see rejectionBounds in scan.ts)
;;   stages per stage, 3 x i32: first stump, one past the last stump, f32 threshold bits
;;   hits   4 x i32 per accepted window: row, col, width, height
;;   surv   one row's surviving window columns, i32
(module
  (memory (export "memory") 1)

  ;; Cascade tables, set by `setTables`.
  (global $offs (mut i32) (i32.const 0))
  (global $offsD (mut i32) (i32.const 0))
  (global $offs16 (mut i32) (i32.const 0))
  ;; Scratch list of one row's surviving window columns.
  (global $surv (mut i32) (i32.const 0))
  (global $leaves (mut i32) (i32.const 0))
  (global $bounds (mut i32) (i32.const 0))
  (global $stages (mut i32) (i32.const 0))
  (global $nStages (mut i32) (i32.const 0))
  ;; Stages run on groups of windows before survivors are listed (kernel.ts KERNEL_PRE_STAGES).
  (global $pre (mut i32) (i32.const 0))

  (func (export "setTables") (param $offs i32) (param $offsD i32) (param $leaves i32) (param $bounds i32)
    (param $stages i32) (param $nStages i32) (param $surv i32) (param $offs16 i32)
    (global.set $surv (local.get $surv))
    (global.set $offs16 (local.get $offs16))
    (global.set $offs (local.get $offs))
    (global.set $offsD (local.get $offsD))
    (global.set $leaves (local.get $leaves))
    (global.set $bounds (local.get $bounds))
    (global.set $stages (local.get $stages))
    (global.set $nStages (local.get $nStages))
    (global.set $pre (select (i32.const 2) (local.get $nStages) (i32.gt_s (local.get $nStages) (i32.const 2)))))

  ;; 1 if the window at byte address $base passes $s stages starting at the stage record $sp.
  (func $window (param $base i32) (param $sp i32) (param $s i32) (result i32)
    (local $t i32) (local $end i32) (local $o i32)
    (local $points f32)
    (local $v00 i32) (local $v01 i32) (local $v02 i32) (local $v03 i32)
    (local $v10 i32) (local $v11 i32) (local $v12 i32) (local $v13 i32)
    (local $v20 i32) (local $v21 i32) (local $v22 i32) (local $v23 i32)
    (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p3 i32)
    (local $ctr i32) (local $code i32)
    (if (i32.eqz (local.get $s)) (then (return (i32.const 1))))
    (loop $stage
      (local.set $t (i32.load (local.get $sp)))
      (local.set $end (i32.load offset=4 (local.get $sp)))
      (local.set $points (f32.const 0))
      (loop $stump
        (local.set $o (i32.add (global.get $offs) (i32.shl (local.get $t) (i32.const 6))))
        ;; Corner rows 0 and 1: column strips v0j = p1j - p0j.
        (local.set $p0 (i32.load (i32.add (local.get $base) (i32.load offset=0 (local.get $o)))))
        (local.set $p1 (i32.load (i32.add (local.get $base) (i32.load offset=4 (local.get $o)))))
        (local.set $p2 (i32.load (i32.add (local.get $base) (i32.load offset=8 (local.get $o)))))
        (local.set $p3 (i32.load (i32.add (local.get $base) (i32.load offset=12 (local.get $o)))))
        (local.set $v00 (i32.sub (i32.load (i32.add (local.get $base) (i32.load offset=16 (local.get $o)))) (local.get $p0)))
        (local.set $v01 (i32.sub (i32.load (i32.add (local.get $base) (i32.load offset=20 (local.get $o)))) (local.get $p1)))
        (local.set $v02 (i32.sub (i32.load (i32.add (local.get $base) (i32.load offset=24 (local.get $o)))) (local.get $p2)))
        (local.set $v03 (i32.sub (i32.load (i32.add (local.get $base) (i32.load offset=28 (local.get $o)))) (local.get $p3)))
        (local.set $p0 (i32.add (local.get $p0) (local.get $v00)))
        (local.set $p1 (i32.add (local.get $p1) (local.get $v01)))
        (local.set $p2 (i32.add (local.get $p2) (local.get $v02)))
        (local.set $p3 (i32.add (local.get $p3) (local.get $v03)))
        ;; Rows 1 and 2.
        (local.set $v10 (i32.sub (i32.load (i32.add (local.get $base) (i32.load offset=32 (local.get $o)))) (local.get $p0)))
        (local.set $v11 (i32.sub (i32.load (i32.add (local.get $base) (i32.load offset=36 (local.get $o)))) (local.get $p1)))
        (local.set $v12 (i32.sub (i32.load (i32.add (local.get $base) (i32.load offset=40 (local.get $o)))) (local.get $p2)))
        (local.set $v13 (i32.sub (i32.load (i32.add (local.get $base) (i32.load offset=44 (local.get $o)))) (local.get $p3)))
        (local.set $p0 (i32.add (local.get $p0) (local.get $v10)))
        (local.set $p1 (i32.add (local.get $p1) (local.get $v11)))
        (local.set $p2 (i32.add (local.get $p2) (local.get $v12)))
        (local.set $p3 (i32.add (local.get $p3) (local.get $v13)))
        ;; Rows 2 and 3.
        (local.set $v20 (i32.sub (i32.load (i32.add (local.get $base) (i32.load offset=48 (local.get $o)))) (local.get $p0)))
        (local.set $v21 (i32.sub (i32.load (i32.add (local.get $base) (i32.load offset=52 (local.get $o)))) (local.get $p1)))
        (local.set $v22 (i32.sub (i32.load (i32.add (local.get $base) (i32.load offset=56 (local.get $o)))) (local.get $p2)))
        (local.set $v23 (i32.sub (i32.load (i32.add (local.get $base) (i32.load offset=60 (local.get $o)))) (local.get $p3)))
        ;; Cell (i, j) = v(i, j+1) - v(i, j); the centre is cell (1, 1). Bit 7 is cell (0, 0),
        ;; then clockwise: (0,1) (0,2) (1,2) (2,2) (2,1) (2,0) (1,0).
        (local.set $ctr (i32.sub (local.get $v12) (local.get $v11)))
        (local.set $code
          (i32.or
            (i32.or
              (i32.or
                (i32.shl (i32.ge_s (i32.sub (local.get $v01) (local.get $v00)) (local.get $ctr)) (i32.const 7))
                (i32.shl (i32.ge_s (i32.sub (local.get $v02) (local.get $v01)) (local.get $ctr)) (i32.const 6)))
              (i32.or
                (i32.shl (i32.ge_s (i32.sub (local.get $v03) (local.get $v02)) (local.get $ctr)) (i32.const 5))
                (i32.shl (i32.ge_s (i32.sub (local.get $v13) (local.get $v12)) (local.get $ctr)) (i32.const 4))))
            (i32.or
              (i32.or
                (i32.shl (i32.ge_s (i32.sub (local.get $v23) (local.get $v22)) (local.get $ctr)) (i32.const 3))
                (i32.shl (i32.ge_s (i32.sub (local.get $v22) (local.get $v21)) (local.get $ctr)) (i32.const 2)))
              (i32.or
                (i32.shl (i32.ge_s (i32.sub (local.get $v21) (local.get $v20)) (local.get $ctr)) (i32.const 1))
                (i32.ge_s (i32.sub (local.get $v11) (local.get $v10)) (local.get $ctr))))))
        (local.set $points
          (f32.add (local.get $points)
            (f32.load
              (i32.add (global.get $leaves)
                (i32.add (i32.shl (local.get $t) (i32.const 10)) (i32.shl (local.get $code) (i32.const 2)))))))
        ;; Early exit: the best leaves still to come cannot reach the threshold.
        (if (f64.lt (f64.promote_f32 (local.get $points))
                    (f64.load (i32.add (global.get $bounds) (i32.shl (local.get $t) (i32.const 3)))))
          (then (return (i32.const 0))))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br_if $stump (i32.lt_u (local.get $t) (local.get $end))))
      (if (f32.lt (local.get $points) (f32.load offset=8 (local.get $sp)))
        (then (return (i32.const 0))))
      (local.set $sp (i32.add (local.get $sp) (i32.const 12)))
      (local.set $s (i32.sub (local.get $s) (i32.const 1)))
      (br_if $stage (local.get $s)))
    (i32.const 1))

  ;; The first `pre` stages for the four windows at $base, $base + $L, + 2$L, + 3$L (bytes):
  ;; bit k of the result is set if window k passes them all. Each stage's sum is complete
  ;; (no early exit), so a lane's verdict is exactly the one-window verdict.
  (func $group4 (param $base i32) (param $L i32) (result i32)
    (local $L2 i32) (local $L3 i32) (local $sp i32) (local $s i32) (local $pass i32)
    (local $t i32) (local $end i32) (local $o i32) (local $a i32) (local $lb i32)
    (local $points v128) (local $leaf v128) (local $code v128) (local $q v128)
    (local $v00 v128) (local $v01 v128) (local $v02 v128) (local $v03 v128)
    (local $v10 v128) (local $v11 v128) (local $v12 v128) (local $v13 v128)
    (local $v20 v128) (local $v21 v128) (local $v22 v128) (local $v23 v128)
    (local $p0 v128) (local $p1 v128) (local $p2 v128) (local $p3 v128)
    (local $ctr v128)
    (local.set $L2 (i32.shl (local.get $L) (i32.const 1)))
    (local.set $L3 (i32.add (local.get $L2) (local.get $L)))
    (local.set $sp (global.get $stages))
    (local.set $s (global.get $pre))
    (local.set $pass (i32.const 15))
    (block $out
      (loop $stage
        (br_if $out (i32.eqz (local.get $s)))
        (local.set $t (i32.load (local.get $sp)))
        (local.set $end (i32.load offset=4 (local.get $sp)))
        (local.set $points (v128.const i32x4 0 0 0 0))
        (loop $stump
          (local.set $o (i32.add (global.get $offs) (i32.shl (local.get $t) (i32.const 6))))
          ;; Corner row 0.
          (local.set $a (i32.add (local.get $base) (i32.load offset=0 (local.get $o))))
          (local.set $p0 (v128.load32_lane 3 (i32.add (local.get $a) (local.get $L3))
            (v128.load32_lane 2 (i32.add (local.get $a) (local.get $L2))
              (v128.load32_lane 1 (i32.add (local.get $a) (local.get $L)) (v128.load32_zero (local.get $a))))))
          (local.set $a (i32.add (local.get $base) (i32.load offset=4 (local.get $o))))
          (local.set $p1 (v128.load32_lane 3 (i32.add (local.get $a) (local.get $L3))
            (v128.load32_lane 2 (i32.add (local.get $a) (local.get $L2))
              (v128.load32_lane 1 (i32.add (local.get $a) (local.get $L)) (v128.load32_zero (local.get $a))))))
          (local.set $a (i32.add (local.get $base) (i32.load offset=8 (local.get $o))))
          (local.set $p2 (v128.load32_lane 3 (i32.add (local.get $a) (local.get $L3))
            (v128.load32_lane 2 (i32.add (local.get $a) (local.get $L2))
              (v128.load32_lane 1 (i32.add (local.get $a) (local.get $L)) (v128.load32_zero (local.get $a))))))
          (local.set $a (i32.add (local.get $base) (i32.load offset=12 (local.get $o))))
          (local.set $p3 (v128.load32_lane 3 (i32.add (local.get $a) (local.get $L3))
            (v128.load32_lane 2 (i32.add (local.get $a) (local.get $L2))
              (v128.load32_lane 1 (i32.add (local.get $a) (local.get $L)) (v128.load32_zero (local.get $a))))))
          ;; Corner row 1: column strips v0j = p(i+1)j - pij.
          (local.set $a (i32.add (local.get $base) (i32.load offset=16 (local.get $o))))
          (local.set $q (v128.load32_lane 3 (i32.add (local.get $a) (local.get $L3))
            (v128.load32_lane 2 (i32.add (local.get $a) (local.get $L2))
              (v128.load32_lane 1 (i32.add (local.get $a) (local.get $L)) (v128.load32_zero (local.get $a))))))
          (local.set $v00 (i32x4.sub (local.get $q) (local.get $p0)))
          (local.set $p0 (local.get $q))
          (local.set $a (i32.add (local.get $base) (i32.load offset=20 (local.get $o))))
          (local.set $q (v128.load32_lane 3 (i32.add (local.get $a) (local.get $L3))
            (v128.load32_lane 2 (i32.add (local.get $a) (local.get $L2))
              (v128.load32_lane 1 (i32.add (local.get $a) (local.get $L)) (v128.load32_zero (local.get $a))))))
          (local.set $v01 (i32x4.sub (local.get $q) (local.get $p1)))
          (local.set $p1 (local.get $q))
          (local.set $a (i32.add (local.get $base) (i32.load offset=24 (local.get $o))))
          (local.set $q (v128.load32_lane 3 (i32.add (local.get $a) (local.get $L3))
            (v128.load32_lane 2 (i32.add (local.get $a) (local.get $L2))
              (v128.load32_lane 1 (i32.add (local.get $a) (local.get $L)) (v128.load32_zero (local.get $a))))))
          (local.set $v02 (i32x4.sub (local.get $q) (local.get $p2)))
          (local.set $p2 (local.get $q))
          (local.set $a (i32.add (local.get $base) (i32.load offset=28 (local.get $o))))
          (local.set $q (v128.load32_lane 3 (i32.add (local.get $a) (local.get $L3))
            (v128.load32_lane 2 (i32.add (local.get $a) (local.get $L2))
              (v128.load32_lane 1 (i32.add (local.get $a) (local.get $L)) (v128.load32_zero (local.get $a))))))
          (local.set $v03 (i32x4.sub (local.get $q) (local.get $p3)))
          (local.set $p3 (local.get $q))
          ;; Corner row 2: column strips v1j = p(i+1)j - pij.
          (local.set $a (i32.add (local.get $base) (i32.load offset=32 (local.get $o))))
          (local.set $q (v128.load32_lane 3 (i32.add (local.get $a) (local.get $L3))
            (v128.load32_lane 2 (i32.add (local.get $a) (local.get $L2))
              (v128.load32_lane 1 (i32.add (local.get $a) (local.get $L)) (v128.load32_zero (local.get $a))))))
          (local.set $v10 (i32x4.sub (local.get $q) (local.get $p0)))
          (local.set $p0 (local.get $q))
          (local.set $a (i32.add (local.get $base) (i32.load offset=36 (local.get $o))))
          (local.set $q (v128.load32_lane 3 (i32.add (local.get $a) (local.get $L3))
            (v128.load32_lane 2 (i32.add (local.get $a) (local.get $L2))
              (v128.load32_lane 1 (i32.add (local.get $a) (local.get $L)) (v128.load32_zero (local.get $a))))))
          (local.set $v11 (i32x4.sub (local.get $q) (local.get $p1)))
          (local.set $p1 (local.get $q))
          (local.set $a (i32.add (local.get $base) (i32.load offset=40 (local.get $o))))
          (local.set $q (v128.load32_lane 3 (i32.add (local.get $a) (local.get $L3))
            (v128.load32_lane 2 (i32.add (local.get $a) (local.get $L2))
              (v128.load32_lane 1 (i32.add (local.get $a) (local.get $L)) (v128.load32_zero (local.get $a))))))
          (local.set $v12 (i32x4.sub (local.get $q) (local.get $p2)))
          (local.set $p2 (local.get $q))
          (local.set $a (i32.add (local.get $base) (i32.load offset=44 (local.get $o))))
          (local.set $q (v128.load32_lane 3 (i32.add (local.get $a) (local.get $L3))
            (v128.load32_lane 2 (i32.add (local.get $a) (local.get $L2))
              (v128.load32_lane 1 (i32.add (local.get $a) (local.get $L)) (v128.load32_zero (local.get $a))))))
          (local.set $v13 (i32x4.sub (local.get $q) (local.get $p3)))
          (local.set $p3 (local.get $q))
          ;; Corner row 3: column strips v2j = p(i+1)j - pij.
          (local.set $a (i32.add (local.get $base) (i32.load offset=48 (local.get $o))))
          (local.set $q (v128.load32_lane 3 (i32.add (local.get $a) (local.get $L3))
            (v128.load32_lane 2 (i32.add (local.get $a) (local.get $L2))
              (v128.load32_lane 1 (i32.add (local.get $a) (local.get $L)) (v128.load32_zero (local.get $a))))))
          (local.set $v20 (i32x4.sub (local.get $q) (local.get $p0)))
          (local.set $a (i32.add (local.get $base) (i32.load offset=52 (local.get $o))))
          (local.set $q (v128.load32_lane 3 (i32.add (local.get $a) (local.get $L3))
            (v128.load32_lane 2 (i32.add (local.get $a) (local.get $L2))
              (v128.load32_lane 1 (i32.add (local.get $a) (local.get $L)) (v128.load32_zero (local.get $a))))))
          (local.set $v21 (i32x4.sub (local.get $q) (local.get $p1)))
          (local.set $a (i32.add (local.get $base) (i32.load offset=56 (local.get $o))))
          (local.set $q (v128.load32_lane 3 (i32.add (local.get $a) (local.get $L3))
            (v128.load32_lane 2 (i32.add (local.get $a) (local.get $L2))
              (v128.load32_lane 1 (i32.add (local.get $a) (local.get $L)) (v128.load32_zero (local.get $a))))))
          (local.set $v22 (i32x4.sub (local.get $q) (local.get $p2)))
          (local.set $a (i32.add (local.get $base) (i32.load offset=60 (local.get $o))))
          (local.set $q (v128.load32_lane 3 (i32.add (local.get $a) (local.get $L3))
            (v128.load32_lane 2 (i32.add (local.get $a) (local.get $L2))
              (v128.load32_lane 1 (i32.add (local.get $a) (local.get $L)) (v128.load32_zero (local.get $a))))))
          (local.set $v23 (i32x4.sub (local.get $q) (local.get $p3)))
          (local.set $ctr (i32x4.sub (local.get $v12) (local.get $v11)))
          (local.set $code
            (v128.or
              (v128.or
                (v128.or
                  (v128.and (i32x4.ge_s (i32x4.sub (local.get $v01) (local.get $v00)) (local.get $ctr)) (v128.const i32x4 128 128 128 128))
                  (v128.and (i32x4.ge_s (i32x4.sub (local.get $v02) (local.get $v01)) (local.get $ctr)) (v128.const i32x4 64 64 64 64)))
                (v128.or
                  (v128.and (i32x4.ge_s (i32x4.sub (local.get $v03) (local.get $v02)) (local.get $ctr)) (v128.const i32x4 32 32 32 32))
                  (v128.and (i32x4.ge_s (i32x4.sub (local.get $v13) (local.get $v12)) (local.get $ctr)) (v128.const i32x4 16 16 16 16))))
              (v128.or
                (v128.or
                  (v128.and (i32x4.ge_s (i32x4.sub (local.get $v23) (local.get $v22)) (local.get $ctr)) (v128.const i32x4 8 8 8 8))
                  (v128.and (i32x4.ge_s (i32x4.sub (local.get $v22) (local.get $v21)) (local.get $ctr)) (v128.const i32x4 4 4 4 4)))
                (v128.or
                  (v128.and (i32x4.ge_s (i32x4.sub (local.get $v21) (local.get $v20)) (local.get $ctr)) (v128.const i32x4 2 2 2 2))
                  (v128.and (i32x4.ge_s (i32x4.sub (local.get $v11) (local.get $v10)) (local.get $ctr)) (v128.const i32x4 1 1 1 1))))))
          ;; Byte offsets of the four codes' leaves in this stump's table.
          (local.set $code (i32x4.shl (local.get $code) (i32.const 2)))
          (local.set $lb (i32.add (global.get $leaves) (i32.shl (local.get $t) (i32.const 10))))
          (local.set $leaf (v128.load32_zero (i32.add (local.get $lb) (i32x4.extract_lane 0 (local.get $code)))))
          (local.set $leaf (v128.load32_lane 1 (i32.add (local.get $lb) (i32x4.extract_lane 1 (local.get $code))) (local.get $leaf)))
          (local.set $leaf (v128.load32_lane 2 (i32.add (local.get $lb) (i32x4.extract_lane 2 (local.get $code))) (local.get $leaf)))
          (local.set $leaf (v128.load32_lane 3 (i32.add (local.get $lb) (i32x4.extract_lane 3 (local.get $code))) (local.get $leaf)))
          (local.set $points (f32x4.add (local.get $points) (local.get $leaf)))
          (local.set $t (i32.add (local.get $t) (i32.const 1)))
          (br_if $stump (i32.lt_u (local.get $t) (local.get $end))))
        ;; A lane fails where points < threshold.
        (local.set $pass
          (i32.and (local.get $pass)
            (i32.xor (i32.const 15)
              (i32x4.bitmask (f32x4.lt (local.get $points) (f32x4.splat (f32.load offset=8 (local.get $sp))))))))
        (br_if $out (i32.eqz (local.get $pass)))
        (local.set $sp (i32.add (local.get $sp) (i32.const 12)))
        (local.set $s (i32.sub (local.get $s) (i32.const 1)))
        (br $stage)))
    (local.get $pass))

  ;; $group4 on a column-decimated copy of the integral (see `decimate`), where the four
  ;; windows' corners are adjacent: one v128.load per corner, offsets from the $offsD table.
  (func $group4c (param $base i32) (result i32)
    (local $sp i32) (local $s i32) (local $pass i32)
    (local $t i32) (local $end i32) (local $o i32) (local $a i32) (local $lb i32)
    (local $points v128) (local $leaf v128) (local $code v128) (local $q v128)
    (local $v00 v128) (local $v01 v128) (local $v02 v128) (local $v03 v128)
    (local $v10 v128) (local $v11 v128) (local $v12 v128) (local $v13 v128)
    (local $v20 v128) (local $v21 v128) (local $v22 v128) (local $v23 v128)
    (local $p0 v128) (local $p1 v128) (local $p2 v128) (local $p3 v128)
    (local $ctr v128)
    (local.set $sp (global.get $stages))
    (local.set $s (global.get $pre))
    (local.set $pass (i32.const 15))
    (block $out
      (loop $stage
        (br_if $out (i32.eqz (local.get $s)))
        (local.set $t (i32.load (local.get $sp)))
        (local.set $end (i32.load offset=4 (local.get $sp)))
        (local.set $points (v128.const i32x4 0 0 0 0))
        (loop $stump
          (local.set $o (i32.add (global.get $offsD) (i32.shl (local.get $t) (i32.const 6))))
          ;; Corner row 0.
          (local.set $p0 (v128.load (i32.add (local.get $base) (i32.load offset=0 (local.get $o)))))
          (local.set $p1 (v128.load (i32.add (local.get $base) (i32.load offset=4 (local.get $o)))))
          (local.set $p2 (v128.load (i32.add (local.get $base) (i32.load offset=8 (local.get $o)))))
          (local.set $p3 (v128.load (i32.add (local.get $base) (i32.load offset=12 (local.get $o)))))
          ;; Corner row 1: column strips v0j = p(i+1)j - pij.
          (local.set $q (v128.load (i32.add (local.get $base) (i32.load offset=16 (local.get $o)))))
          (local.set $v00 (i32x4.sub (local.get $q) (local.get $p0)))
          (local.set $p0 (local.get $q))
          (local.set $q (v128.load (i32.add (local.get $base) (i32.load offset=20 (local.get $o)))))
          (local.set $v01 (i32x4.sub (local.get $q) (local.get $p1)))
          (local.set $p1 (local.get $q))
          (local.set $q (v128.load (i32.add (local.get $base) (i32.load offset=24 (local.get $o)))))
          (local.set $v02 (i32x4.sub (local.get $q) (local.get $p2)))
          (local.set $p2 (local.get $q))
          (local.set $q (v128.load (i32.add (local.get $base) (i32.load offset=28 (local.get $o)))))
          (local.set $v03 (i32x4.sub (local.get $q) (local.get $p3)))
          (local.set $p3 (local.get $q))
          ;; Corner row 2: column strips v1j = p(i+1)j - pij.
          (local.set $q (v128.load (i32.add (local.get $base) (i32.load offset=32 (local.get $o)))))
          (local.set $v10 (i32x4.sub (local.get $q) (local.get $p0)))
          (local.set $p0 (local.get $q))
          (local.set $q (v128.load (i32.add (local.get $base) (i32.load offset=36 (local.get $o)))))
          (local.set $v11 (i32x4.sub (local.get $q) (local.get $p1)))
          (local.set $p1 (local.get $q))
          (local.set $q (v128.load (i32.add (local.get $base) (i32.load offset=40 (local.get $o)))))
          (local.set $v12 (i32x4.sub (local.get $q) (local.get $p2)))
          (local.set $p2 (local.get $q))
          (local.set $q (v128.load (i32.add (local.get $base) (i32.load offset=44 (local.get $o)))))
          (local.set $v13 (i32x4.sub (local.get $q) (local.get $p3)))
          (local.set $p3 (local.get $q))
          ;; Corner row 3: column strips v2j = p(i+1)j - pij.
          (local.set $q (v128.load (i32.add (local.get $base) (i32.load offset=48 (local.get $o)))))
          (local.set $v20 (i32x4.sub (local.get $q) (local.get $p0)))
          (local.set $q (v128.load (i32.add (local.get $base) (i32.load offset=52 (local.get $o)))))
          (local.set $v21 (i32x4.sub (local.get $q) (local.get $p1)))
          (local.set $q (v128.load (i32.add (local.get $base) (i32.load offset=56 (local.get $o)))))
          (local.set $v22 (i32x4.sub (local.get $q) (local.get $p2)))
          (local.set $q (v128.load (i32.add (local.get $base) (i32.load offset=60 (local.get $o)))))
          (local.set $v23 (i32x4.sub (local.get $q) (local.get $p3)))
          (local.set $ctr (i32x4.sub (local.get $v12) (local.get $v11)))
          (local.set $code
            (v128.or
              (v128.or
                (v128.or
                  (v128.and (i32x4.ge_s (i32x4.sub (local.get $v01) (local.get $v00)) (local.get $ctr)) (v128.const i32x4 128 128 128 128))
                  (v128.and (i32x4.ge_s (i32x4.sub (local.get $v02) (local.get $v01)) (local.get $ctr)) (v128.const i32x4 64 64 64 64)))
                (v128.or
                  (v128.and (i32x4.ge_s (i32x4.sub (local.get $v03) (local.get $v02)) (local.get $ctr)) (v128.const i32x4 32 32 32 32))
                  (v128.and (i32x4.ge_s (i32x4.sub (local.get $v13) (local.get $v12)) (local.get $ctr)) (v128.const i32x4 16 16 16 16))))
              (v128.or
                (v128.or
                  (v128.and (i32x4.ge_s (i32x4.sub (local.get $v23) (local.get $v22)) (local.get $ctr)) (v128.const i32x4 8 8 8 8))
                  (v128.and (i32x4.ge_s (i32x4.sub (local.get $v22) (local.get $v21)) (local.get $ctr)) (v128.const i32x4 4 4 4 4)))
                (v128.or
                  (v128.and (i32x4.ge_s (i32x4.sub (local.get $v21) (local.get $v20)) (local.get $ctr)) (v128.const i32x4 2 2 2 2))
                  (v128.and (i32x4.ge_s (i32x4.sub (local.get $v11) (local.get $v10)) (local.get $ctr)) (v128.const i32x4 1 1 1 1))))))
          ;; Byte offsets of the four codes' leaves in this stump's table.
          (local.set $code (i32x4.shl (local.get $code) (i32.const 2)))
          (local.set $lb (i32.add (global.get $leaves) (i32.shl (local.get $t) (i32.const 10))))
          (local.set $leaf (v128.load32_zero (i32.add (local.get $lb) (i32x4.extract_lane 0 (local.get $code)))))
          (local.set $leaf (v128.load32_lane 1 (i32.add (local.get $lb) (i32x4.extract_lane 1 (local.get $code))) (local.get $leaf)))
          (local.set $leaf (v128.load32_lane 2 (i32.add (local.get $lb) (i32x4.extract_lane 2 (local.get $code))) (local.get $leaf)))
          (local.set $leaf (v128.load32_lane 3 (i32.add (local.get $lb) (i32x4.extract_lane 3 (local.get $code))) (local.get $leaf)))
          (local.set $points (f32x4.add (local.get $points) (local.get $leaf)))
          (local.set $t (i32.add (local.get $t) (i32.const 1)))
          (br_if $stump (i32.lt_u (local.get $t) (local.get $end))))
        ;; A lane fails where points < threshold.
        (local.set $pass
          (i32.and (local.get $pass)
            (i32.xor (i32.const 15)
              (i32x4.bitmask (f32x4.lt (local.get $points) (f32x4.splat (f32.load offset=8 (local.get $sp))))))))
        (br_if $out (i32.eqz (local.get $pass)))
        (local.set $sp (i32.add (local.get $sp) (i32.const 12)))
        (local.set $s (i32.sub (local.get $s) (i32.const 1)))
        (br $stage)))
    (local.get $pass))

  ;; $group4c for eight windows, on a decimated copy holding the integral's low 16 bits
  ;; (`decimate16`). Wrapping i16 arithmetic gives every cell sum modulo 2^16; when no cell
  ;; can sum to more than 65535 (the caller checks cell areas and the largest pixel) that is
  ;; the sum itself read unsigned, so unsigned compares give the codes of the i32 arithmetic
  ;; (whose sums are never negative).
  (func $group8 (param $base i32) (result i32)
    (local $sp i32) (local $s i32) (local $pass i32)
    (local $t i32) (local $end i32) (local $o i32) (local $a i32) (local $lb i32)
    (local $points v128) (local $points2 v128) (local $leaf v128) (local $code v128) (local $q v128)
    (local $v00 v128) (local $v01 v128) (local $v02 v128) (local $v03 v128)
    (local $v10 v128) (local $v11 v128) (local $v12 v128) (local $v13 v128)
    (local $v20 v128) (local $v21 v128) (local $v22 v128) (local $v23 v128)
    (local $p0 v128) (local $p1 v128) (local $p2 v128) (local $p3 v128)
    (local $ctr v128)
    (local.set $sp (global.get $stages))
    (local.set $s (global.get $pre))
    (local.set $pass (i32.const 255))
    (block $out
      (loop $stage
        (br_if $out (i32.eqz (local.get $s)))
        (local.set $t (i32.load (local.get $sp)))
        (local.set $end (i32.load offset=4 (local.get $sp)))
        (local.set $points (v128.const i32x4 0 0 0 0))
        (local.set $points2 (v128.const i32x4 0 0 0 0))
        (loop $stump
          (local.set $o (i32.add (global.get $offs16) (i32.shl (local.get $t) (i32.const 6))))
          ;; Corner row 0.
          (local.set $p0 (v128.load (i32.add (local.get $base) (i32.load offset=0 (local.get $o)))))
          (local.set $p1 (v128.load (i32.add (local.get $base) (i32.load offset=4 (local.get $o)))))
          (local.set $p2 (v128.load (i32.add (local.get $base) (i32.load offset=8 (local.get $o)))))
          (local.set $p3 (v128.load (i32.add (local.get $base) (i32.load offset=12 (local.get $o)))))
          ;; Corner row 1: column strips v0j = p(i+1)j - pij.
          (local.set $q (v128.load (i32.add (local.get $base) (i32.load offset=16 (local.get $o)))))
          (local.set $v00 (i16x8.sub (local.get $q) (local.get $p0)))
          (local.set $p0 (local.get $q))
          (local.set $q (v128.load (i32.add (local.get $base) (i32.load offset=20 (local.get $o)))))
          (local.set $v01 (i16x8.sub (local.get $q) (local.get $p1)))
          (local.set $p1 (local.get $q))
          (local.set $q (v128.load (i32.add (local.get $base) (i32.load offset=24 (local.get $o)))))
          (local.set $v02 (i16x8.sub (local.get $q) (local.get $p2)))
          (local.set $p2 (local.get $q))
          (local.set $q (v128.load (i32.add (local.get $base) (i32.load offset=28 (local.get $o)))))
          (local.set $v03 (i16x8.sub (local.get $q) (local.get $p3)))
          (local.set $p3 (local.get $q))
          ;; Corner row 2: column strips v1j = p(i+1)j - pij.
          (local.set $q (v128.load (i32.add (local.get $base) (i32.load offset=32 (local.get $o)))))
          (local.set $v10 (i16x8.sub (local.get $q) (local.get $p0)))
          (local.set $p0 (local.get $q))
          (local.set $q (v128.load (i32.add (local.get $base) (i32.load offset=36 (local.get $o)))))
          (local.set $v11 (i16x8.sub (local.get $q) (local.get $p1)))
          (local.set $p1 (local.get $q))
          (local.set $q (v128.load (i32.add (local.get $base) (i32.load offset=40 (local.get $o)))))
          (local.set $v12 (i16x8.sub (local.get $q) (local.get $p2)))
          (local.set $p2 (local.get $q))
          (local.set $q (v128.load (i32.add (local.get $base) (i32.load offset=44 (local.get $o)))))
          (local.set $v13 (i16x8.sub (local.get $q) (local.get $p3)))
          (local.set $p3 (local.get $q))
          ;; Corner row 3: column strips v2j = p(i+1)j - pij.
          (local.set $q (v128.load (i32.add (local.get $base) (i32.load offset=48 (local.get $o)))))
          (local.set $v20 (i16x8.sub (local.get $q) (local.get $p0)))
          (local.set $q (v128.load (i32.add (local.get $base) (i32.load offset=52 (local.get $o)))))
          (local.set $v21 (i16x8.sub (local.get $q) (local.get $p1)))
          (local.set $q (v128.load (i32.add (local.get $base) (i32.load offset=56 (local.get $o)))))
          (local.set $v22 (i16x8.sub (local.get $q) (local.get $p2)))
          (local.set $q (v128.load (i32.add (local.get $base) (i32.load offset=60 (local.get $o)))))
          (local.set $v23 (i16x8.sub (local.get $q) (local.get $p3)))
          (local.set $ctr (i16x8.sub (local.get $v12) (local.get $v11)))
          (local.set $code
            (v128.or
              (v128.or
                (v128.or
                  (v128.and (i16x8.ge_u (i16x8.sub (local.get $v01) (local.get $v00)) (local.get $ctr)) (v128.const i16x8 128 128 128 128 128 128 128 128))
                  (v128.and (i16x8.ge_u (i16x8.sub (local.get $v02) (local.get $v01)) (local.get $ctr)) (v128.const i16x8 64 64 64 64 64 64 64 64)))
                (v128.or
                  (v128.and (i16x8.ge_u (i16x8.sub (local.get $v03) (local.get $v02)) (local.get $ctr)) (v128.const i16x8 32 32 32 32 32 32 32 32))
                  (v128.and (i16x8.ge_u (i16x8.sub (local.get $v13) (local.get $v12)) (local.get $ctr)) (v128.const i16x8 16 16 16 16 16 16 16 16))))
              (v128.or
                (v128.or
                  (v128.and (i16x8.ge_u (i16x8.sub (local.get $v23) (local.get $v22)) (local.get $ctr)) (v128.const i16x8 8 8 8 8 8 8 8 8))
                  (v128.and (i16x8.ge_u (i16x8.sub (local.get $v22) (local.get $v21)) (local.get $ctr)) (v128.const i16x8 4 4 4 4 4 4 4 4)))
                (v128.or
                  (v128.and (i16x8.ge_u (i16x8.sub (local.get $v21) (local.get $v20)) (local.get $ctr)) (v128.const i16x8 2 2 2 2 2 2 2 2))
                  (v128.and (i16x8.ge_u (i16x8.sub (local.get $v11) (local.get $v10)) (local.get $ctr)) (v128.const i16x8 1 1 1 1 1 1 1 1))))))
          ;; Byte offsets of the four codes' leaves in this stump's table.
          (local.set $code (i16x8.shl (local.get $code) (i32.const 2)))
          (local.set $lb (i32.add (global.get $leaves) (i32.shl (local.get $t) (i32.const 10))))
          (local.set $leaf (v128.load32_zero (i32.add (local.get $lb) (i16x8.extract_lane_u 0 (local.get $code)))))
          (local.set $leaf (v128.load32_lane 1 (i32.add (local.get $lb) (i16x8.extract_lane_u 1 (local.get $code))) (local.get $leaf)))
          (local.set $leaf (v128.load32_lane 2 (i32.add (local.get $lb) (i16x8.extract_lane_u 2 (local.get $code))) (local.get $leaf)))
          (local.set $leaf (v128.load32_lane 3 (i32.add (local.get $lb) (i16x8.extract_lane_u 3 (local.get $code))) (local.get $leaf)))
          (local.set $points (f32x4.add (local.get $points) (local.get $leaf)))
          (local.set $leaf (v128.load32_zero (i32.add (local.get $lb) (i16x8.extract_lane_u 4 (local.get $code)))))
          (local.set $leaf (v128.load32_lane 1 (i32.add (local.get $lb) (i16x8.extract_lane_u 5 (local.get $code))) (local.get $leaf)))
          (local.set $leaf (v128.load32_lane 2 (i32.add (local.get $lb) (i16x8.extract_lane_u 6 (local.get $code))) (local.get $leaf)))
          (local.set $leaf (v128.load32_lane 3 (i32.add (local.get $lb) (i16x8.extract_lane_u 7 (local.get $code))) (local.get $leaf)))
          (local.set $points2 (f32x4.add (local.get $points2) (local.get $leaf)))
          (local.set $t (i32.add (local.get $t) (i32.const 1)))
          (br_if $stump (i32.lt_u (local.get $t) (local.get $end))))
        ;; A lane fails where points < threshold.
        (local.set $q (f32x4.splat (f32.load offset=8 (local.get $sp))))
        (local.set $pass
          (i32.and (local.get $pass)
            (i32.xor (i32.const 255)
              (i32.or (i32x4.bitmask (f32x4.lt (local.get $points) (local.get $q)))
                (i32.shl (i32x4.bitmask (f32x4.lt (local.get $points2) (local.get $q))) (i32.const 4))))))
        (br_if $out (i32.eqz (local.get $pass)))
        (local.set $sp (i32.add (local.get $sp) (i32.const 12)))
        (local.set $s (i32.sub (local.get $s) (i32.const 1)))
        (br $stage)))
    (local.get $pass))

  ;; One stage for four windows anywhere in the integral (byte addresses of their top-left
  ;; corners in $addrs): bit k of the result is set if window k passes it. The whole stage sum
  ;; is computed, so a lane's verdict is exactly the one-window verdict.
  (func $stage4g (param $addrs v128) (param $sp i32) (result i32)
    (local $t i32) (local $end i32) (local $o i32) (local $lb i32) (local $off i32)
    (local $b0 i32) (local $b1 i32) (local $b2 i32) (local $b3 i32)
    (local $points v128) (local $leaf v128) (local $code v128) (local $q v128)
    (local $v00 v128) (local $v01 v128) (local $v02 v128) (local $v03 v128)
    (local $v10 v128) (local $v11 v128) (local $v12 v128) (local $v13 v128)
    (local $v20 v128) (local $v21 v128) (local $v22 v128) (local $v23 v128)
    (local $p0 v128) (local $p1 v128) (local $p2 v128) (local $p3 v128)
    (local $ctr v128)
    (local.set $b0 (i32x4.extract_lane 0 (local.get $addrs)))
    (local.set $b1 (i32x4.extract_lane 1 (local.get $addrs)))
    (local.set $b2 (i32x4.extract_lane 2 (local.get $addrs)))
    (local.set $b3 (i32x4.extract_lane 3 (local.get $addrs)))
    (local.set $t (i32.load (local.get $sp)))
    (local.set $end (i32.load offset=4 (local.get $sp)))
    (local.set $points (v128.const i32x4 0 0 0 0))
    (loop $stump
      (local.set $o (i32.add (global.get $offs) (i32.shl (local.get $t) (i32.const 6))))
      ;; Corner row 0.
            (local.set $off (i32.load offset=0 (local.get $o)))
        (local.set $p0 (v128.load32_lane 3 (i32.add (local.get $b3) (local.get $off))
          (v128.load32_lane 2 (i32.add (local.get $b2) (local.get $off))
            (v128.load32_lane 1 (i32.add (local.get $b1) (local.get $off)) (v128.load32_zero (i32.add (local.get $b0) (local.get $off)))))))
            (local.set $off (i32.load offset=4 (local.get $o)))
        (local.set $p1 (v128.load32_lane 3 (i32.add (local.get $b3) (local.get $off))
          (v128.load32_lane 2 (i32.add (local.get $b2) (local.get $off))
            (v128.load32_lane 1 (i32.add (local.get $b1) (local.get $off)) (v128.load32_zero (i32.add (local.get $b0) (local.get $off)))))))
            (local.set $off (i32.load offset=8 (local.get $o)))
        (local.set $p2 (v128.load32_lane 3 (i32.add (local.get $b3) (local.get $off))
          (v128.load32_lane 2 (i32.add (local.get $b2) (local.get $off))
            (v128.load32_lane 1 (i32.add (local.get $b1) (local.get $off)) (v128.load32_zero (i32.add (local.get $b0) (local.get $off)))))))
            (local.set $off (i32.load offset=12 (local.get $o)))
        (local.set $p3 (v128.load32_lane 3 (i32.add (local.get $b3) (local.get $off))
          (v128.load32_lane 2 (i32.add (local.get $b2) (local.get $off))
            (v128.load32_lane 1 (i32.add (local.get $b1) (local.get $off)) (v128.load32_zero (i32.add (local.get $b0) (local.get $off)))))))
            ;; Corner row 1.
            (local.set $off (i32.load offset=16 (local.get $o)))
        (local.set $q (v128.load32_lane 3 (i32.add (local.get $b3) (local.get $off))
          (v128.load32_lane 2 (i32.add (local.get $b2) (local.get $off))
            (v128.load32_lane 1 (i32.add (local.get $b1) (local.get $off)) (v128.load32_zero (i32.add (local.get $b0) (local.get $off)))))))
            (local.set $v00 (i32x4.sub (local.get $q) (local.get $p0)))
            (local.set $p0 (local.get $q))
            (local.set $off (i32.load offset=20 (local.get $o)))
        (local.set $q (v128.load32_lane 3 (i32.add (local.get $b3) (local.get $off))
          (v128.load32_lane 2 (i32.add (local.get $b2) (local.get $off))
            (v128.load32_lane 1 (i32.add (local.get $b1) (local.get $off)) (v128.load32_zero (i32.add (local.get $b0) (local.get $off)))))))
            (local.set $v01 (i32x4.sub (local.get $q) (local.get $p1)))
            (local.set $p1 (local.get $q))
            (local.set $off (i32.load offset=24 (local.get $o)))
        (local.set $q (v128.load32_lane 3 (i32.add (local.get $b3) (local.get $off))
          (v128.load32_lane 2 (i32.add (local.get $b2) (local.get $off))
            (v128.load32_lane 1 (i32.add (local.get $b1) (local.get $off)) (v128.load32_zero (i32.add (local.get $b0) (local.get $off)))))))
            (local.set $v02 (i32x4.sub (local.get $q) (local.get $p2)))
            (local.set $p2 (local.get $q))
            (local.set $off (i32.load offset=28 (local.get $o)))
        (local.set $q (v128.load32_lane 3 (i32.add (local.get $b3) (local.get $off))
          (v128.load32_lane 2 (i32.add (local.get $b2) (local.get $off))
            (v128.load32_lane 1 (i32.add (local.get $b1) (local.get $off)) (v128.load32_zero (i32.add (local.get $b0) (local.get $off)))))))
            (local.set $v03 (i32x4.sub (local.get $q) (local.get $p3)))
            (local.set $p3 (local.get $q))
            ;; Corner row 2.
            (local.set $off (i32.load offset=32 (local.get $o)))
        (local.set $q (v128.load32_lane 3 (i32.add (local.get $b3) (local.get $off))
          (v128.load32_lane 2 (i32.add (local.get $b2) (local.get $off))
            (v128.load32_lane 1 (i32.add (local.get $b1) (local.get $off)) (v128.load32_zero (i32.add (local.get $b0) (local.get $off)))))))
            (local.set $v10 (i32x4.sub (local.get $q) (local.get $p0)))
            (local.set $p0 (local.get $q))
            (local.set $off (i32.load offset=36 (local.get $o)))
        (local.set $q (v128.load32_lane 3 (i32.add (local.get $b3) (local.get $off))
          (v128.load32_lane 2 (i32.add (local.get $b2) (local.get $off))
            (v128.load32_lane 1 (i32.add (local.get $b1) (local.get $off)) (v128.load32_zero (i32.add (local.get $b0) (local.get $off)))))))
            (local.set $v11 (i32x4.sub (local.get $q) (local.get $p1)))
            (local.set $p1 (local.get $q))
            (local.set $off (i32.load offset=40 (local.get $o)))
        (local.set $q (v128.load32_lane 3 (i32.add (local.get $b3) (local.get $off))
          (v128.load32_lane 2 (i32.add (local.get $b2) (local.get $off))
            (v128.load32_lane 1 (i32.add (local.get $b1) (local.get $off)) (v128.load32_zero (i32.add (local.get $b0) (local.get $off)))))))
            (local.set $v12 (i32x4.sub (local.get $q) (local.get $p2)))
            (local.set $p2 (local.get $q))
            (local.set $off (i32.load offset=44 (local.get $o)))
        (local.set $q (v128.load32_lane 3 (i32.add (local.get $b3) (local.get $off))
          (v128.load32_lane 2 (i32.add (local.get $b2) (local.get $off))
            (v128.load32_lane 1 (i32.add (local.get $b1) (local.get $off)) (v128.load32_zero (i32.add (local.get $b0) (local.get $off)))))))
            (local.set $v13 (i32x4.sub (local.get $q) (local.get $p3)))
            (local.set $p3 (local.get $q))
            ;; Corner row 3.
            (local.set $off (i32.load offset=48 (local.get $o)))
        (local.set $q (v128.load32_lane 3 (i32.add (local.get $b3) (local.get $off))
          (v128.load32_lane 2 (i32.add (local.get $b2) (local.get $off))
            (v128.load32_lane 1 (i32.add (local.get $b1) (local.get $off)) (v128.load32_zero (i32.add (local.get $b0) (local.get $off)))))))
            (local.set $v20 (i32x4.sub (local.get $q) (local.get $p0)))
            (local.set $off (i32.load offset=52 (local.get $o)))
        (local.set $q (v128.load32_lane 3 (i32.add (local.get $b3) (local.get $off))
          (v128.load32_lane 2 (i32.add (local.get $b2) (local.get $off))
            (v128.load32_lane 1 (i32.add (local.get $b1) (local.get $off)) (v128.load32_zero (i32.add (local.get $b0) (local.get $off)))))))
            (local.set $v21 (i32x4.sub (local.get $q) (local.get $p1)))
            (local.set $off (i32.load offset=56 (local.get $o)))
        (local.set $q (v128.load32_lane 3 (i32.add (local.get $b3) (local.get $off))
          (v128.load32_lane 2 (i32.add (local.get $b2) (local.get $off))
            (v128.load32_lane 1 (i32.add (local.get $b1) (local.get $off)) (v128.load32_zero (i32.add (local.get $b0) (local.get $off)))))))
            (local.set $v22 (i32x4.sub (local.get $q) (local.get $p2)))
            (local.set $off (i32.load offset=60 (local.get $o)))
        (local.set $q (v128.load32_lane 3 (i32.add (local.get $b3) (local.get $off))
          (v128.load32_lane 2 (i32.add (local.get $b2) (local.get $off))
            (v128.load32_lane 1 (i32.add (local.get $b1) (local.get $off)) (v128.load32_zero (i32.add (local.get $b0) (local.get $off)))))))
            (local.set $v23 (i32x4.sub (local.get $q) (local.get $p3)))
      (local.set $ctr (i32x4.sub (local.get $v12) (local.get $v11)))
      (local.set $code
        (v128.or
          (v128.or
            (v128.or
              (v128.and (i32x4.ge_s (i32x4.sub (local.get $v01) (local.get $v00)) (local.get $ctr)) (v128.const i32x4 128 128 128 128))
              (v128.and (i32x4.ge_s (i32x4.sub (local.get $v02) (local.get $v01)) (local.get $ctr)) (v128.const i32x4 64 64 64 64)))
            (v128.or
              (v128.and (i32x4.ge_s (i32x4.sub (local.get $v03) (local.get $v02)) (local.get $ctr)) (v128.const i32x4 32 32 32 32))
              (v128.and (i32x4.ge_s (i32x4.sub (local.get $v13) (local.get $v12)) (local.get $ctr)) (v128.const i32x4 16 16 16 16))))
          (v128.or
            (v128.or
              (v128.and (i32x4.ge_s (i32x4.sub (local.get $v23) (local.get $v22)) (local.get $ctr)) (v128.const i32x4 8 8 8 8))
              (v128.and (i32x4.ge_s (i32x4.sub (local.get $v22) (local.get $v21)) (local.get $ctr)) (v128.const i32x4 4 4 4 4)))
            (v128.or
              (v128.and (i32x4.ge_s (i32x4.sub (local.get $v21) (local.get $v20)) (local.get $ctr)) (v128.const i32x4 2 2 2 2))
              (v128.and (i32x4.ge_s (i32x4.sub (local.get $v11) (local.get $v10)) (local.get $ctr)) (v128.const i32x4 1 1 1 1))))))
      ;; Byte offsets of the four codes' leaves in this stump's table.
      (local.set $code (i32x4.shl (local.get $code) (i32.const 2)))
      (local.set $lb (i32.add (global.get $leaves) (i32.shl (local.get $t) (i32.const 10))))
      (local.set $leaf (v128.load32_zero (i32.add (local.get $lb) (i32x4.extract_lane 0 (local.get $code)))))
      (local.set $leaf (v128.load32_lane 1 (i32.add (local.get $lb) (i32x4.extract_lane 1 (local.get $code))) (local.get $leaf)))
      (local.set $leaf (v128.load32_lane 2 (i32.add (local.get $lb) (i32x4.extract_lane 2 (local.get $code))) (local.get $leaf)))
      (local.set $leaf (v128.load32_lane 3 (i32.add (local.get $lb) (i32x4.extract_lane 3 (local.get $code))) (local.get $leaf)))
      (local.set $points (f32x4.add (local.get $points) (local.get $leaf)))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br_if $stump (i32.lt_u (local.get $t) (local.get $end))))
    (i32.xor (i32.const 15)
      (i32x4.bitmask (f32x4.lt (local.get $points) (f32x4.splat (f32.load offset=8 (local.get $sp)))))))

  ;; Column-decimated copy of an integral for window step $k: plane m (m < $k) holds the
  ;; columns m, m + k, m + 2k, ... of every row, $pstride i32 per plane row, planes one
  ;; after another. Windows k apart in the integral are then adjacent in every plane.
  (func (export "decimate") (param $src i32) (param $dst i32) (param $stride i32) (param $rows i32) (param $k i32)
    (param $pstride i32)
    (local $m i32) (local $y i32) (local $x i32) (local $s i32) (local $d i32) (local $plane i32)
    (local.set $plane (i32.shl (i32.mul (local.get $pstride) (local.get $rows)) (i32.const 2)))
    (local.set $m (i32.const 0))
    (loop $planes
      (local.set $y (i32.const 0))
      (loop $lines
        (local.set $s (i32.add (local.get $src)
          (i32.shl (i32.add (i32.mul (local.get $y) (local.get $stride)) (local.get $m)) (i32.const 2))))
        (local.set $d (i32.add (i32.add (local.get $dst) (i32.mul (local.get $m) (local.get $plane)))
          (i32.shl (i32.mul (local.get $y) (local.get $pstride)) (i32.const 2))))
        (local.set $x (local.get $m))
        (block $lineDone
          (loop $cols
            (br_if $lineDone (i32.ge_s (local.get $x) (local.get $stride)))
            (i32.store (local.get $d) (i32.load (local.get $s)))
            (local.set $d (i32.add (local.get $d) (i32.const 4)))
            (local.set $s (i32.add (local.get $s) (i32.shl (local.get $k) (i32.const 2))))
            (local.set $x (i32.add (local.get $x) (local.get $k)))
            (br $cols)))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br_if $lines (i32.lt_s (local.get $y) (local.get $rows))))
      (local.set $m (i32.add (local.get $m) (i32.const 1)))
      (br_if $planes (i32.lt_s (local.get $m) (local.get $k)))))

  ;; `decimate` writing each value's low 16 bits ($pstride i16 per plane row).
  (func (export "decimate16") (param $src i32) (param $dst i32) (param $stride i32) (param $rows i32) (param $k i32)
    (param $pstride i32)
    (local $m i32) (local $y i32) (local $x i32) (local $s i32) (local $d i32) (local $plane i32)
    (local.set $plane (i32.shl (i32.mul (local.get $pstride) (local.get $rows)) (i32.const 1)))
    (local.set $m (i32.const 0))
    (loop $planes
      (local.set $y (i32.const 0))
      (loop $lines
        (local.set $s (i32.add (local.get $src)
          (i32.shl (i32.add (i32.mul (local.get $y) (local.get $stride)) (local.get $m)) (i32.const 2))))
        (local.set $d (i32.add (i32.add (local.get $dst) (i32.mul (local.get $m) (local.get $plane)))
          (i32.shl (i32.mul (local.get $y) (local.get $pstride)) (i32.const 1))))
        (local.set $x (local.get $m))
        (block $lineDone
          (loop $cols
            (br_if $lineDone (i32.ge_s (local.get $x) (local.get $stride)))
            (i32.store16 (local.get $d) (i32.load (local.get $s)))
            (local.set $d (i32.add (local.get $d) (i32.const 2)))
            (local.set $s (i32.add (local.get $s) (i32.shl (local.get $k) (i32.const 2))))
            (local.set $x (i32.add (local.get $x) (local.get $k)))
            (br $cols)))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br_if $lines (i32.lt_s (local.get $y) (local.get $rows))))
      (local.set $m (i32.add (local.get $m) (i32.const 1)))
      (br_if $planes (i32.lt_s (local.get $m) (local.get $k)))))

  ;; The largest pixel of the image whose zero-padded integral (`stride` i32 per row, `rows`
  ;; rows, the first row and column zero) is at $src: the bound for the i16 path.
  (func (export "maxPixel") (param $src i32) (param $stride i32) (param $rows i32) (result i32)
    (local $a i32) (local $end i32) (local $max i32) (local $v i32) (local $rowEnd i32)
    (local.set $a (i32.add (local.get $src) (i32.shl (i32.add (local.get $stride) (i32.const 1)) (i32.const 2))))
    (local.set $end (i32.add (local.get $src) (i32.shl (i32.mul (local.get $stride) (local.get $rows)) (i32.const 2))))
    (block $done
      (loop $rowsLoop
        (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
        (local.set $rowEnd (i32.add (local.get $a) (i32.shl (i32.sub (local.get $stride) (i32.const 1)) (i32.const 2))))
        (loop $cols
          ;; pixel = P[y][x] - P[y-1][x] - P[y][x-1] + P[y-1][x-1], in wrapping i32.
          (local.set $v
            (i32.add
              (i32.sub
                (i32.sub (i32.load (local.get $a))
                  (i32.load (i32.sub (local.get $a) (i32.shl (local.get $stride) (i32.const 2)))))
                (i32.load offset=0 (i32.sub (local.get $a) (i32.const 4))))
              (i32.load (i32.sub (i32.sub (local.get $a) (i32.shl (local.get $stride) (i32.const 2))) (i32.const 4)))))
          ;; Unsigned, so a negative pixel counts as huge.
          (if (i32.gt_u (local.get $v) (local.get $max)) (then (local.set $max (local.get $v))))
          (local.set $a (i32.add (local.get $a) (i32.const 4)))
          (br_if $cols (i32.lt_u (local.get $a) (local.get $rowEnd))))
        (local.set $a (i32.add (local.get $a) (i32.const 4)))
        (br $rowsLoop)))
    (local.get $max))

  ;; Math.round for the non-negative values rotation produces (ties up, exactly as JS).
  (func $round (param $v f64) (result f64)
    (local $r f64)
    (local.set $r (f64.floor (local.get $v)))
    (select (f64.add (local.get $r) (f64.const 1)) (local.get $r)
      (f64.ge (f64.sub (local.get $v) (local.get $r)) (f64.const 0.5))))

  ;; rotate.ts `rotateGrey(src, angle, out, true)` followed by integral.ts `exactIntegral`, in
  ;; one pass and with the same f64 operations in the same order, so the table is identical.
  ;; $src: the source's whole grey levels as u8, $sw x $sh. $dst: the zero-padded i32 integral
  ;; of the $width x $height canvas ((width + 1) x (height + 1)). $mode: 0 upright (no turn),
  ;; 1 quarter turn (index transform), 2 bilinear.
  (func (export "rotateIntegral")
    (param $src i32) (param $sw i32) (param $sh i32) (param $dst i32) (param $width i32) (param $height i32)
    (param $cos f64) (param $sin f64) (param $mode i32)
    (local $x i32) (local $y i32) (local $stride i32) (local $out i32) (local $acc i32) (local $v i32)
    (local $dy f64) (local $sx f64) (local $sy f64) (local $fx f64) (local $fy f64)
    (local $x0 i32) (local $y0 i32) (local $i i32)
    (local $a f64) (local $b f64) (local $c f64) (local $d f64)
    (local.set $stride (i32.add (local.get $width) (i32.const 1)))
    ;; Row 0 is zeros.
    (memory.fill (local.get $dst) (i32.const 0) (i32.shl (local.get $stride) (i32.const 2)))
    (local.set $y (i32.const 0))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_s (local.get $y) (local.get $height)))
        (local.set $out (i32.add (local.get $dst)
          (i32.shl (i32.mul (i32.add (local.get $y) (i32.const 1)) (local.get $stride)) (i32.const 2))))
        (i32.store (local.get $out) (i32.const 0))
        (local.set $dy (f64.sub (f64.add (f64.convert_i32_s (local.get $y)) (f64.const 0.5))
          (f64.div (f64.convert_i32_s (local.get $height)) (f64.const 2))))
        (local.set $sx
          (f64.sub
            (f64.add
              (f64.sub
                (f64.mul (f64.sub (f64.const 0.5) (f64.div (f64.convert_i32_s (local.get $width)) (f64.const 2))) (local.get $cos))
                (f64.mul (local.get $dy) (local.get $sin)))
              (f64.div (f64.convert_i32_s (local.get $sw)) (f64.const 2)))
            (f64.const 0.5)))
        (local.set $sy
          (f64.sub
            (f64.add
              (f64.add
                (f64.mul (f64.sub (f64.const 0.5) (f64.div (f64.convert_i32_s (local.get $width)) (f64.const 2))) (local.get $sin))
                (f64.mul (local.get $dy) (local.get $cos)))
              (f64.div (f64.convert_i32_s (local.get $sh)) (f64.const 2)))
            (f64.const 0.5)))
        (local.set $acc (i32.const 0))
        (local.set $x (i32.const 0))
        (block $rowDone
          (loop $cols
            (br_if $rowDone (i32.ge_s (local.get $x) (local.get $width)))
            (if (i32.eqz (local.get $mode))
              (then
                (local.set $v (i32.load8_u (i32.add (local.get $src)
                  (i32.add (i32.mul (local.get $y) (local.get $sw)) (local.get $x))))))
              (else
                (if (i32.eq (local.get $mode) (i32.const 1))
                  (then
                    (local.set $v (i32.load8_u (i32.add (local.get $src)
                      (i32.add
                        (i32.mul (i32.trunc_f64_s (call $round (local.get $sy))) (local.get $sw))
                        (i32.trunc_f64_s (call $round (local.get $sx))))))))
                  (else
                    (local.set $x0 (i32.trunc_f64_s (f64.floor (local.get $sx))))
                    (local.set $y0 (i32.trunc_f64_s (f64.floor (local.get $sy))))
                    (local.set $fx (f64.sub (local.get $sx) (f64.convert_i32_s (local.get $x0))))
                    (local.set $fy (f64.sub (local.get $sy) (f64.convert_i32_s (local.get $y0))))
                    (local.set $i (i32.add (local.get $src) (i32.add (i32.mul (local.get $y0) (local.get $sw)) (local.get $x0))))
                    (local.set $v (i32.const 0))
                    (block $zero
                    (if (i32.and
                          (i32.lt_u (local.get $x0) (i32.sub (local.get $sw) (i32.const 1)))
                          (i32.lt_u (local.get $y0) (i32.sub (local.get $sh) (i32.const 1))))
                      (then
                        ;; All four neighbours inside the source (most pixels).
                        (local.set $a (f64.convert_i32_u (i32.load8_u (local.get $i))))
                        (local.set $b (f64.convert_i32_u (i32.load8_u offset=1 (local.get $i))))
                        (local.set $c (f64.convert_i32_u (i32.load8_u (i32.add (local.get $i) (local.get $sw)))))
                        (local.set $d (f64.convert_i32_u (i32.load8_u offset=1 (i32.add (local.get $i) (local.get $sw))))))
                      (else
                        ;; Neighbours outside the source are 0 (skimage's constant mode); the whole
                        ;; pixel is 0 when its footprint misses the source.
                        (local.set $a (f64.const 0))
                        (local.set $b (f64.const 0))
                        (local.set $c (f64.const 0))
                        (local.set $d (f64.const 0))
                        ;; A footprint that misses the source gives 0 (as rotate.ts writes) without
                        ;; the arithmetic (about half the pixels of a 45° canvas).
                        (br_if $zero (i32.eqz (i32.and
                              (i32.and (i32.ge_s (local.get $x0) (i32.const -1)) (i32.ge_s (local.get $y0) (i32.const -1)))
                              (i32.and (i32.lt_s (local.get $x0) (local.get $sw)) (i32.lt_s (local.get $y0) (local.get $sh))))))
                            (if (i32.ge_s (local.get $y0) (i32.const 0))
                              (then
                                (if (i32.ge_s (local.get $x0) (i32.const 0))
                                  (then (local.set $a (f64.convert_i32_u (i32.load8_u (local.get $i))))))
                                (if (i32.lt_s (i32.add (local.get $x0) (i32.const 1)) (local.get $sw))
                                  (then (local.set $b (f64.convert_i32_u (i32.load8_u offset=1 (local.get $i))))))))
                            (if (i32.lt_s (i32.add (local.get $y0) (i32.const 1)) (local.get $sh))
                              (then
                                (if (i32.ge_s (local.get $x0) (i32.const 0))
                                  (then (local.set $c (f64.convert_i32_u (i32.load8_u (i32.add (local.get $i) (local.get $sw)))))))
                                (if (i32.lt_s (i32.add (local.get $x0) (i32.const 1)) (local.get $sw))
                                  (then (local.set $d (f64.convert_i32_u
                                    (i32.load8_u offset=1 (i32.add (local.get $i) (local.get $sw)))))))))))
                    ;; (a + (b - a) * fx) * (1 - fy) + (c + (d - c) * fx) * fy, rounded as Math.round.
                    (local.set $fx
                      (f64.add
                        (f64.mul
                          (f64.add (local.get $a) (f64.mul (f64.sub (local.get $b) (local.get $a)) (local.get $fx)))
                          (f64.sub (f64.const 1) (local.get $fy)))
                        (f64.mul
                          (f64.add (local.get $c) (f64.mul (f64.sub (local.get $d) (local.get $c)) (local.get $fx)))
                          (local.get $fy))))
                    (local.set $fy (f64.floor (local.get $fx)))
                    (local.set $v (i32.add (i32.trunc_f64_s (local.get $fy))
                      (f64.ge (f64.sub (local.get $fx) (local.get $fy)) (f64.const 0.5)))))))))
            (local.set $acc (i32.add (local.get $acc) (local.get $v)))
            (i32.store offset=4 (local.get $out)
              (i32.add (i32.load offset=4 (i32.sub (local.get $out) (i32.shl (local.get $stride) (i32.const 2))))
                (local.get $acc)))
            (local.set $out (i32.add (local.get $out) (i32.const 4)))
            (local.set $sx (f64.add (local.get $sx) (local.get $cos)))
            (local.set $sy (f64.add (local.get $sy) (local.get $sin)))
            (local.set $x (i32.add (local.get $x) (i32.const 1)))
            (br $cols)))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $rows))))

  ;; Scan window origins rows [r0, r1), columns [c0, c1), both by `step`, over the integral at
  ;; byte address $ii with `stride` i32 per row. Accepted windows go to $hits as
  ;; (row, col, winW, winH), in row-major order; returns how many. $dec is the
  ;; integral decimated by `step` (`decimate`, $pstride i32 per plane row; with $c0 = 0), or
  ;; the integral itself at step 1, or 0 for neither. $dec16, if not 0, is the 16-bit copy
  ;; (`decimate16`, $pstride16 per plane row), used instead of $dec. $ranges, if not 0, holds
  ;; per row of the call (i32 pairs) the columns [first, end) to scan, both on the step grid,
  ;; instead of [c0, c1) (intersected with it): on a turned canvas, the windows whose centre
  ;; lies in the source image (the caller's centre test, so it exists once).
  ;;
  ;; Per row: the first `pre` stages run on four neighbouring windows at a time ($group4c,
  ;; $group4); the survivors' columns are listed, and the list goes through each later stage
  ;; four windows at a time ($stage4g) and is compacted in order. The last one to three
  ;; windows of a row go through every stage one at a time ($window).
  (func (export "scan")
    (param $r0 i32) (param $r1 i32) (param $c0 i32) (param $c1 i32) (param $step i32)
    (param $winW i32) (param $winH i32) (param $ii i32) (param $stride i32) (param $hits i32)
    (param $dec i32) (param $pstride i32) (param $dec16 i32) (param $pstride16 i32) (param $ranges i32)
    (result i32)
    (local $ce i32) (local $ci i32)
    (local $G i32) (local $drow16 i32)
    (local $r i32) (local $c i32) (local $n i32) (local $row i32) (local $h i32) (local $L i32)
    (local $mask i32) (local $drow i32)
    (local $m i32) (local $i i32) (local $k i32) (local $sp i32) (local $s i32) (local $col i32)
    (local.set $h (local.get $hits))
    (local.set $L (i32.shl (local.get $step) (i32.const 2)))
    (local.set $G (select (i32.const 8) (i32.const 4) (local.get $dec16)))
    (local.set $r (local.get $r0))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_s (local.get $r) (local.get $r1)))
        (local.set $row (i32.add (local.get $ii) (i32.shl (i32.mul (local.get $r) (local.get $stride)) (i32.const 2))))
        ;; Row $r of the decimated copy; window column c is at c / step there.
        (local.set $drow (i32.add (local.get $dec) (i32.shl (i32.mul (local.get $r) (local.get $pstride)) (i32.const 2))))
        (local.set $drow16 (i32.add (local.get $dec16) (i32.shl (i32.mul (local.get $r) (local.get $pstride16)) (i32.const 1))))
        (local.set $c (local.get $c0))
        (local.set $ce (local.get $c1))
        ;; With $ranges, this row's windows whose centre is inside the source: columns
        ;; [first, end) on the step grid, given by the caller (scan.ts rowRanges).
        (if (local.get $ranges)
          (then
            (local.set $c (select (i32.load (local.get $ranges)) (local.get $c0)
              (i32.gt_s (i32.load (local.get $ranges)) (local.get $c0))))
            (local.set $ce (select (i32.load offset=4 (local.get $ranges)) (local.get $c1)
              (i32.lt_s (i32.load offset=4 (local.get $ranges)) (local.get $c1))))
            (local.set $ranges (i32.add (local.get $ranges) (i32.const 8)))))
        (local.set $m (i32.const 0))
        ;; Column c's index in the decimated copies (c0 = 0 there), kept up by the group loop.
        (local.set $ci (i32.div_u (local.get $c) (local.get $step)))
        ;; First stages, G (4 or 8) windows at a time while G fit; survivors listed in column order.
        (block $groupsDone
          (loop $groups
            (br_if $groupsDone
              (i32.ge_s (i32.add (local.get $c) (i32.mul (local.get $step) (i32.sub (local.get $G) (i32.const 1))))
                (local.get $ce)))
            (local.set $mask (i32.sub (i32.shl (i32.const 1) (local.get $G)) (i32.const 1)))
            (if (local.get $mask)
              (then
                (local.set $mask
                  (i32.and (local.get $mask)
                    (if (result i32) (local.get $dec16)
                      (then (call $group8 (i32.add (local.get $drow16) (i32.shl (local.get $ci) (i32.const 1)))))
                      (else
                        (if (result i32) (local.get $dec)
                          (then (call $group4c (i32.add (local.get $drow) (i32.shl (local.get $ci) (i32.const 2)))))
                          (else (call $group4 (i32.add (local.get $row) (i32.shl (local.get $c) (i32.const 2))) (local.get $L))))))))
                ;; Set bits lowest first (column order), one iteration per survivor.
                (block $lanesDone
                  (loop $lanes
                    (br_if $lanesDone (i32.eqz (local.get $mask)))
                    (i32.store (i32.add (global.get $surv) (i32.shl (local.get $m) (i32.const 2)))
                      (i32.add (local.get $c) (i32.mul (i32.ctz (local.get $mask)) (local.get $step))))
                    (local.set $m (i32.add (local.get $m) (i32.const 1)))
                    (local.set $mask (i32.and (local.get $mask) (i32.sub (local.get $mask) (i32.const 1))))
                    (br $lanes)))))
            (local.set $c (i32.add (local.get $c) (i32.mul (local.get $step) (local.get $G))))
            (local.set $ci (i32.add (local.get $ci) (local.get $G)))
            (br $groups)))
        ;; Later stages on the list, four at a time, compacting it in place (order kept).
        (local.set $sp (i32.add (global.get $stages) (i32.mul (global.get $pre) (i32.const 12))))
        (local.set $s (i32.sub (global.get $nStages) (global.get $pre)))
        (block $stagesDone
          (loop $stages
            (br_if $stagesDone (i32.or (i32.eqz (local.get $m)) (i32.le_s (local.get $s) (i32.const 0))))
            ;; Pad the list to a multiple of four with a real window; padded lanes are ignored.
            (i32.store (i32.add (global.get $surv) (i32.shl (local.get $m) (i32.const 2))) (i32.load (global.get $surv)))
            (i32.store offset=4 (i32.add (global.get $surv) (i32.shl (local.get $m) (i32.const 2))) (i32.load (global.get $surv)))
            (i32.store offset=8 (i32.add (global.get $surv) (i32.shl (local.get $m) (i32.const 2))) (i32.load (global.get $surv)))
            (local.set $i (i32.const 0))
            (local.set $k (i32.const 0))
            (loop $quads
              (local.set $mask
                (i32.and
                  (call $stage4g
                    (i32x4.add (i32x4.splat (local.get $row))
                      (i32x4.shl (v128.load (i32.add (global.get $surv) (i32.shl (local.get $i) (i32.const 2)))) (i32.const 2)))
                    (local.get $sp))
                  ;; Lanes past the end of the list are padding.
                  (i32.sub (i32.shl (i32.const 1)
                    (select (i32.const 4) (i32.sub (local.get $m) (local.get $i)) (i32.gt_s (i32.sub (local.get $m) (local.get $i)) (i32.const 4))))
                    (i32.const 1))))
              (block $keepDone
                (loop $keep
                  (br_if $keepDone (i32.eqz (local.get $mask)))
                  (i32.store (i32.add (global.get $surv) (i32.shl (local.get $k) (i32.const 2)))
                    (i32.load (i32.add (global.get $surv)
                      (i32.shl (i32.add (local.get $i) (i32.ctz (local.get $mask))) (i32.const 2)))))
                  (local.set $k (i32.add (local.get $k) (i32.const 1)))
                  (local.set $mask (i32.and (local.get $mask) (i32.sub (local.get $mask) (i32.const 1))))
                  (br $keep)))
              (local.set $i (i32.add (local.get $i) (i32.const 4)))
              (br_if $quads (i32.lt_s (local.get $i) (local.get $m))))
            (local.set $m (local.get $k))
            (local.set $sp (i32.add (local.get $sp) (i32.const 12)))
            (local.set $s (i32.sub (local.get $s) (i32.const 1)))
            (br $stages)))
        ;; What is left of the list passed every stage.
        (local.set $i (i32.const 0))
        (block $emitDone
          (loop $emit
            (br_if $emitDone (i32.ge_s (local.get $i) (local.get $m)))
            (i32.store offset=0 (local.get $h) (local.get $r))
            (i32.store offset=4 (local.get $h) (i32.load (i32.add (global.get $surv) (i32.shl (local.get $i) (i32.const 2)))))
            (i32.store offset=8 (local.get $h) (local.get $winW))
            (i32.store offset=12 (local.get $h) (local.get $winH))
            (local.set $h (i32.add (local.get $h) (i32.const 16)))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $emit)))
        ;; The last few windows of the row (fewer than G).
        (block $rowDone
          (loop $cols
            (br_if $rowDone (i32.ge_s (local.get $c) (local.get $ce)))
            (if (call $window (i32.add (local.get $row) (i32.shl (local.get $c) (i32.const 2)))
                              (global.get $stages) (global.get $nStages))
              (then
                (i32.store offset=0 (local.get $h) (local.get $r))
                (i32.store offset=4 (local.get $h) (local.get $c))
                (i32.store offset=8 (local.get $h) (local.get $winW))
                (i32.store offset=12 (local.get $h) (local.get $winH))
                (local.set $h (i32.add (local.get $h) (i32.const 16)))
                (local.set $n (i32.add (local.get $n) (i32.const 1)))))
            (local.set $c (i32.add (local.get $c) (local.get $step)))
            (br $cols)))
        (local.set $r (i32.add (local.get $r) (local.get $step)))
        (br $rows)))
    (local.get $n))
)
