;; The separable convolution of the B-spline wavelet filter (see WaveletFilter.ts), in WebAssembly
;; with 128-bit SIMD: two f64 outputs per instruction. Source of waveletKernel.wasm; rebuild with
;; `npm run build:wasm` (a test checks that the committed binary is this text compiled).
;;
;; All buffers are f64, row-major, with the same row stride; the caller pads the image with
;; mirrored margins, so these loops never look outside the buffers and need no border logic.
(module
  (memory (export "memory") 1)

  ;; out[r][c] = Σ_t k1[t] · in at (r, c) + t·tap, for rows [r0, r1) and columns [c0, c1) in steps
  ;; of two columns. `tap` is the distance between taps in bytes: 8·hole along rows, or
  ;; 8·hole·stride along columns. k1 = [1, 8, 23, 32, 23, 8, 1] / 96.
  (func (export "convolve")
    (param $in i32) (param $out i32) (param $stride i32)
    (param $r0 i32) (param $r1 i32) (param $c0 i32) (param $c1 i32) (param $tap i32)
    (local $r i32) (local $p i32) (local $q i32) (local $end i32) (local $rowBytes i32)
    (local $t2 i32) (local $t3 i32)
    (local $k0 v128) (local $k1 v128) (local $k2 v128) (local $k3 v128)
    (local.set $k0 (f64x2.splat (f64.div (f64.const 1) (f64.const 96))))
    (local.set $k1 (f64x2.splat (f64.div (f64.const 8) (f64.const 96))))
    (local.set $k2 (f64x2.splat (f64.div (f64.const 23) (f64.const 96))))
    (local.set $k3 (f64x2.splat (f64.div (f64.const 32) (f64.const 96))))
    (local.set $rowBytes (i32.shl (local.get $stride) (i32.const 3)))
    (local.set $t2 (i32.shl (local.get $tap) (i32.const 1)))
    (local.set $t3 (i32.add (local.get $t2) (local.get $tap)))
    (local.set $r (local.get $r0))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_s (local.get $r) (local.get $r1)))
        ;; p: input address of (r, c0); q: output address; end: input address of (r, c1)
        (local.set $p (i32.add (local.get $in)
          (i32.shl (i32.add (i32.mul (local.get $r) (local.get $stride)) (local.get $c0)) (i32.const 3))))
        (local.set $q (i32.add (local.get $out)
          (i32.shl (i32.add (i32.mul (local.get $r) (local.get $stride)) (local.get $c0)) (i32.const 3))))
        (local.set $end (i32.add (local.get $in)
          (i32.shl (i32.add (i32.mul (local.get $r) (local.get $stride)) (local.get $c1)) (i32.const 3))))
        (block $colsDone
          (loop $cols
            (br_if $colsDone (i32.ge_s (local.get $p) (local.get $end)))
            (v128.store align=8 (local.get $q)
              (f64x2.add
                (f64x2.add
                  (f64x2.mul (local.get $k3) (v128.load align=8 (local.get $p)))
                  (f64x2.mul (local.get $k2)
                    (f64x2.add (v128.load align=8 (i32.sub (local.get $p) (local.get $tap)))
                               (v128.load align=8 (i32.add (local.get $p) (local.get $tap))))))
                (f64x2.add
                  (f64x2.mul (local.get $k1)
                    (f64x2.add (v128.load align=8 (i32.sub (local.get $p) (local.get $t2)))
                               (v128.load align=8 (i32.add (local.get $p) (local.get $t2)))))
                  (f64x2.mul (local.get $k0)
                    (f64x2.add (v128.load align=8 (i32.sub (local.get $p) (local.get $t3)))
                               (v128.load align=8 (i32.add (local.get $p) (local.get $t3))))))))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (local.set $q (i32.add (local.get $q) (i32.const 16)))
            (br $cols)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows)))
  )

  ;; f2[r][c] = v1 − v2 at padded (r + pad, c + pad), for the width × height image (f2 unpadded,
  ;; row stride = width; v1, v2 row stride = `stride`). Two columns at a time; width must be even
  ;; or f2 must have room for one more value at the end of each row (the caller's buffer has).
  (func (export "subtract")
    (param $v1 i32) (param $v2 i32) (param $f2 i32) (param $stride i32)
    (param $width i32) (param $height i32) (param $pad i32)
    (local $r i32) (local $c i32) (local $src i32) (local $dst i32)
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_s (local.get $r) (local.get $height)))
        (local.set $src (i32.shl
          (i32.add (i32.mul (i32.add (local.get $r) (local.get $pad)) (local.get $stride)) (local.get $pad))
          (i32.const 3)))
        (local.set $dst (i32.add (local.get $f2) (i32.shl (i32.mul (local.get $r) (local.get $width)) (i32.const 3))))
        (local.set $c (i32.const 0))
        (block $colsDone
          (loop $cols
            (br_if $colsDone (i32.ge_s (local.get $c) (local.get $width)))
            (v128.store align=8 (local.get $dst)
              (f64x2.sub (v128.load align=8 (i32.add (local.get $v1) (local.get $src)))
                         (v128.load align=8 (i32.add (local.get $v2) (local.get $src)))))
            (local.set $src (i32.add (local.get $src) (i32.const 16)))
            (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
            (local.set $c (i32.add (local.get $c) (i32.const 2)))
            (br $cols)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows)))
  )
)
