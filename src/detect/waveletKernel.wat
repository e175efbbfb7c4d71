;; The detection kernel: camera conversion, the separable convolutions of the B-spline wavelet
;; filter (see WaveletFilter.ts) and the search for local maxima, in WebAssembly with 128-bit SIMD on
;; f32 (four values per instruction). Source of waveletKernel.wasm; rebuild with
;; `npm run build:wasm` (a test checks that the committed binary is this text compiled).
;;
;; Image buffers are f32, row-major, all with the same row stride, and hold the image with
;; `pad` px of mirrored margin on every side, so the filter loops never look outside the
;; buffers and need no border logic. Loops work on four columns at a time and may write up to
;; three values past a row's last column (into margins the caller never reads) or past the end
;; of a buffer (the caller leaves slack after each).
(module
  (memory (export "memory") 1)

  ;; dst[(r + pad)·stride + pad + c] = (src[r·width + c] − baseline) · factor for the
  ;; width × height uint16 frame at src (row-major, no padding): ADU to photons.
  (func (export "convertU16")
    (param $src i32) (param $dst i32) (param $stride i32) (param $width i32) (param $height i32)
    (param $pad i32) (param $baseline f32) (param $factor f32)
    (local $r i32) (local $p i32) (local $q i32) (local $end i32) (local $base v128) (local $scale v128)
    (local.set $base (f32x4.splat (local.get $baseline)))
    (local.set $scale (f32x4.splat (local.get $factor)))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_s (local.get $r) (local.get $height)))
        (local.set $p (i32.add (local.get $src) (i32.shl (i32.mul (local.get $r) (local.get $width)) (i32.const 1))))
        (local.set $end (i32.add (local.get $p) (i32.shl (local.get $width) (i32.const 1))))
        (local.set $q (i32.add (local.get $dst) (i32.shl
          (i32.add (i32.mul (i32.add (local.get $r) (local.get $pad)) (local.get $stride)) (local.get $pad))
          (i32.const 2))))
        (block $colsDone
          (loop $cols
            (br_if $colsDone (i32.ge_s (local.get $p) (local.get $end)))
            (v128.store align=4 (local.get $q)
              (f32x4.mul (local.get $scale)
                (f32x4.sub (f32x4.convert_i32x4_u (v128.load16x4_u align=2 (local.get $p))) (local.get $base))))
            (local.set $p (i32.add (local.get $p) (i32.const 8)))
            (local.set $q (i32.add (local.get $q) (i32.const 16)))
            (br $cols)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows)))
  )

  ;; Fill the margins of the padded image at buf by half-sample symmetric mirroring (−1 → 0,
  ;; width → width − 1); needs pad ≤ width and pad ≤ height.
  (func (export "mirror")
    (param $buf i32) (param $stride i32) (param $width i32) (param $height i32) (param $pad i32)
    (local $r i32) (local $k i32) (local $row i32) (local $rowBytes i32)
    (local.set $rowBytes (i32.shl (local.get $stride) (i32.const 2)))
    ;; Left and right margins of the image rows.
    (local.set $r (local.get $pad))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_s (local.get $r) (i32.add (local.get $pad) (local.get $height))))
        (local.set $row (i32.add (local.get $buf) (i32.mul (local.get $r) (local.get $rowBytes))))
        (local.set $k (i32.const 1))
        (block $done
          (loop $cols
            (br_if $done (i32.gt_s (local.get $k) (local.get $pad)))
            ;; column pad − k ← pad + k − 1; column pad + width − 1 + k ← pad + width − k
            (f32.store (i32.add (local.get $row) (i32.shl (i32.sub (local.get $pad) (local.get $k)) (i32.const 2)))
              (f32.load (i32.add (local.get $row) (i32.shl (i32.sub (i32.add (local.get $pad) (local.get $k)) (i32.const 1)) (i32.const 2)))))
            (f32.store (i32.add (local.get $row) (i32.shl (i32.add (i32.sub (i32.add (local.get $pad) (local.get $width)) (i32.const 1)) (local.get $k)) (i32.const 2)))
              (f32.load (i32.add (local.get $row) (i32.shl (i32.sub (i32.add (local.get $pad) (local.get $width)) (local.get $k)) (i32.const 2)))))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $cols)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows)))
    ;; Whole margin rows: row pad − k ← pad + k − 1; row pad + height − 1 + k ← pad + height − k.
    (local.set $k (i32.const 1))
    (block $done
      (loop $margins
        (br_if $done (i32.gt_s (local.get $k) (local.get $pad)))
        (memory.copy
          (i32.add (local.get $buf) (i32.mul (i32.sub (local.get $pad) (local.get $k)) (local.get $rowBytes)))
          (i32.add (local.get $buf) (i32.mul (i32.sub (i32.add (local.get $pad) (local.get $k)) (i32.const 1)) (local.get $rowBytes)))
          (local.get $rowBytes))
        (memory.copy
          (i32.add (local.get $buf) (i32.mul (i32.add (i32.sub (i32.add (local.get $pad) (local.get $height)) (i32.const 1)) (local.get $k)) (local.get $rowBytes)))
          (i32.add (local.get $buf) (i32.mul (i32.sub (i32.add (local.get $pad) (local.get $height)) (local.get $k)) (local.get $rowBytes)))
          (local.get $rowBytes))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $margins)))
  )

  ;; out[r][c] = Σ_t k1[t] · in at (r, c) + t·tap, for rows [r0, r1) and columns [c0, c1) in
  ;; steps of four columns; where `minus` ≠ 0, out[r][c] = minus[r][c] − that sum instead (the
  ;; last pass: F2 = V1 − V2). `tap` is the distance between taps in bytes: 4·hole along rows,
  ;; or 4·hole·stride along columns. k1 = [1, 8, 23, 32, 23, 8, 1] / 96.
  (func (export "convolve")
    (param $in i32) (param $out i32) (param $stride i32)
    (param $r0 i32) (param $r1 i32) (param $c0 i32) (param $c1 i32) (param $tap i32) (param $minus i32)
    (local $r i32) (local $p i32) (local $q i32) (local $end i32) (local $offset i32)
    (local $t2 i32) (local $t3 i32) (local $sum v128)
    (local $k0 v128) (local $k1 v128) (local $k2 v128) (local $k3 v128)
    (local.set $k0 (f32x4.splat (f32.div (f32.const 1) (f32.const 96))))
    (local.set $k1 (f32x4.splat (f32.div (f32.const 8) (f32.const 96))))
    (local.set $k2 (f32x4.splat (f32.div (f32.const 23) (f32.const 96))))
    (local.set $k3 (f32x4.splat (f32.div (f32.const 32) (f32.const 96))))
    (local.set $t2 (i32.shl (local.get $tap) (i32.const 1)))
    (local.set $t3 (i32.add (local.get $t2) (local.get $tap)))
    (local.set $r (local.get $r0))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_s (local.get $r) (local.get $r1)))
        ;; offset: byte offset of (r, c0) in every buffer; p, q: input and output addresses;
        ;; end: input address of (r, c1)
        (local.set $offset (i32.shl (i32.add (i32.mul (local.get $r) (local.get $stride)) (local.get $c0)) (i32.const 2)))
        (local.set $p (i32.add (local.get $in) (local.get $offset)))
        (local.set $q (i32.add (local.get $out) (local.get $offset)))
        (local.set $end (i32.add (local.get $p) (i32.shl (i32.sub (local.get $c1) (local.get $c0)) (i32.const 2))))
        (block $colsDone
          (loop $cols
            (br_if $colsDone (i32.ge_s (local.get $p) (local.get $end)))
            (local.set $sum
              (f32x4.add
                (f32x4.add
                  (f32x4.mul (local.get $k3) (v128.load align=4 (local.get $p)))
                  (f32x4.mul (local.get $k2)
                    (f32x4.add (v128.load align=4 (i32.sub (local.get $p) (local.get $tap)))
                               (v128.load align=4 (i32.add (local.get $p) (local.get $tap))))))
                (f32x4.add
                  (f32x4.mul (local.get $k1)
                    (f32x4.add (v128.load align=4 (i32.sub (local.get $p) (local.get $t2)))
                               (v128.load align=4 (i32.add (local.get $p) (local.get $t2)))))
                  (f32x4.mul (local.get $k0)
                    (f32x4.add (v128.load align=4 (i32.sub (local.get $p) (local.get $t3)))
                               (v128.load align=4 (i32.add (local.get $p) (local.get $t3))))))))
            (if (local.get $minus)
              (then (local.set $sum (f32x4.sub
                (v128.load align=4 (i32.add (local.get $minus) (i32.sub (local.get $q) (local.get $out))))
                (local.get $sum)))))
            (v128.store align=4 (local.get $q) (local.get $sum))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (local.set $q (i32.add (local.get $q) (i32.const 16)))
            (br $cols)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows)))
  )

;; The local maxima of the width × height image in the padded buffer at buf that exceed
  ;; threshold: pixels greater than their four earlier 8-neighbours and not less than the four
  ;; later ones (a plateau gives one maximum). Their indices r·width + c, in row-major order, are
  ;; written as i32 to list; returns how many. The caller sets the ring of margin pixels around
  ;; the image to −∞, so border pixels have no neighbours there. Four columns are tested at once,
  ;; the neighbour comparisons only for groups with a value above the threshold.
  (func (export "maxima")
    (param $buf i32) (param $stride i32) (param $width i32) (param $height i32) (param $pad i32)
    (param $threshold f32) (param $list i32) (result i32)
    (local $r i32) (local $c i32) (local $j i32) (local $p i32) (local $row i32) (local $n i32)
    (local $rowBytes i32) (local $bits i32) (local $t v128) (local $v v128) (local $m v128)
    (local.set $t (f32x4.splat (local.get $threshold)))
    (local.set $rowBytes (i32.shl (local.get $stride) (i32.const 2)))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_s (local.get $r) (local.get $height)))
        (local.set $row (i32.add (local.get $buf) (i32.shl
          (i32.add (i32.mul (i32.add (local.get $r) (local.get $pad)) (local.get $stride)) (local.get $pad))
          (i32.const 2))))
        (local.set $c (i32.const 0))
        (block $colsDone
          (loop $cols
            (br_if $colsDone (i32.ge_s (local.get $c) (local.get $width)))
            (local.set $p (i32.add (local.get $row) (i32.shl (local.get $c) (i32.const 2))))
            (local.set $v (v128.load align=4 (local.get $p)))
            (local.set $m (f32x4.gt (local.get $v) (local.get $t)))
            (if (v128.any_true (local.get $m))
              (then
                (local.set $m (v128.and (local.get $m) (v128.and
                  (v128.and
                    (f32x4.gt (local.get $v) (v128.load align=4 (i32.sub (i32.sub (local.get $p) (local.get $rowBytes)) (i32.const 4))))
                    (f32x4.gt (local.get $v) (v128.load align=4 (i32.sub (local.get $p) (local.get $rowBytes)))))
                  (v128.and
                    (f32x4.gt (local.get $v) (v128.load align=4 (i32.add (i32.sub (local.get $p) (local.get $rowBytes)) (i32.const 4))))
                    (f32x4.gt (local.get $v) (v128.load align=4 (i32.sub (local.get $p) (i32.const 4))))))))
                (local.set $m (v128.and (local.get $m) (v128.and
                  (v128.and
                    (f32x4.ge (local.get $v) (v128.load align=4 (i32.add (local.get $p) (i32.const 4))))
                    (f32x4.ge (local.get $v) (v128.load align=4 (i32.sub (i32.add (local.get $p) (local.get $rowBytes)) (i32.const 4)))))
                  (v128.and
                    (f32x4.ge (local.get $v) (v128.load align=4 (i32.add (local.get $p) (local.get $rowBytes))))
                    (f32x4.ge (local.get $v) (v128.load align=4 (i32.add (i32.add (local.get $p) (local.get $rowBytes)) (i32.const 4))))))))
                (local.set $bits (i32x4.bitmask (local.get $m)))
                (local.set $j (local.get $c))
                (block $groupDone
                  (loop $group
                    (br_if $groupDone (i32.eqz (local.get $bits)))
                    (br_if $groupDone (i32.ge_s (local.get $j) (local.get $width)))
                    (if (i32.and (local.get $bits) (i32.const 1))
                      (then
                        (i32.store (i32.add (local.get $list) (i32.shl (local.get $n) (i32.const 2)))
                          (i32.add (i32.mul (local.get $r) (local.get $width)) (local.get $j)))
                        (local.set $n (i32.add (local.get $n) (i32.const 1)))))
                    (local.set $bits (i32.shr_u (local.get $bits) (i32.const 1)))
                    (local.set $j (i32.add (local.get $j) (i32.const 1)))
                    (br $group)))))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $cols)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows)))
    (local.get $n)
  )

  ;; F1 = I − V1 at pixel indices 0, step, 2·step, … of the width × height image (padded
  ;; buffers image and v1, f32), promoted to f64 and subtracted there, into out (f64). Returns
  ;; how many. Rows and columns are followed incrementally (no division per sample).
  (func (export "sampleF1")
    (param $image i32) (param $v1 i32) (param $stride i32) (param $width i32) (param $height i32)
    (param $pad i32) (param $step i32) (param $out i32) (result i32)
    (local $p i32) (local $n i32) (local $r i32) (local $c i32) (local $m i32) (local $q i32)
    (local.set $n (i32.mul (local.get $width) (local.get $height)))
    (block $done
      (loop $samples
        (br_if $done (i32.ge_s (local.get $p) (local.get $n)))
        (local.set $q (i32.shl
          (i32.add (i32.mul (i32.add (local.get $r) (local.get $pad)) (local.get $stride)) (i32.add (local.get $c) (local.get $pad)))
          (i32.const 2)))
        (f64.store (i32.add (local.get $out) (i32.shl (local.get $m) (i32.const 3)))
          (f64.sub (f64.promote_f32 (f32.load (i32.add (local.get $image) (local.get $q))))
                   (f64.promote_f32 (f32.load (i32.add (local.get $v1) (local.get $q))))))
        (local.set $m (i32.add (local.get $m) (i32.const 1)))
        (local.set $p (i32.add (local.get $p) (local.get $step)))
        (local.set $c (i32.add (local.get $c) (local.get $step)))
        (block $wrapped
          (loop $wrap
            (br_if $wrapped (i32.lt_s (local.get $c) (local.get $width)))
            (local.set $c (i32.sub (local.get $c) (local.get $width)))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $wrap)))
        (br $samples)))
    (local.get $m)
  )

  ;; The values below a window, set by "collect".
  (global $below (export "below") (mut i32) (i32.const 0))

  ;; One pass of MadEstimator's window selection over n f64 values (or, where fold ≠ 0, their
  ;; distances |v − center|): copies those in [low, high] to out and returns how many; the count
  ;; of those below low goes to the global `below`. Branch-free: which side of the window a noise
  ;; value falls is a coin toss no branch predictor learns. NaN values are counted in neither.
  (func (export "collect")
    (param $values i32) (param $n i32) (param $low f64) (param $high f64) (param $center f64)
    (param $fold i32) (param $out i32) (result i32)
    (local $i i32) (local $count i32) (local $below i32) (local $v f64) (local $end i32)
    (local.set $end (i32.add (local.get $values) (i32.shl (local.get $n) (i32.const 3))))
    (local.set $i (local.get $values))
    (block $done
      (loop $values
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $v (f64.load (local.get $i)))
        (if (local.get $fold) (then (local.set $v (f64.abs (f64.sub (local.get $v) (local.get $center))))))
        (f64.store (i32.add (local.get $out) (i32.shl (local.get $count) (i32.const 3))) (local.get $v))
        (local.set $count (i32.add (local.get $count)
          (i32.and (f64.ge (local.get $v) (local.get $low)) (f64.le (local.get $v) (local.get $high)))))
        (local.set $below (i32.add (local.get $below) (f64.lt (local.get $v) (local.get $low))))
        (local.set $i (i32.add (local.get $i) (i32.const 8)))
        (br $values)))
    (global.set $below (local.get $below))
    (local.get $count)
  )
)
