;; The forward pass's matrix product on f32x4 lanes: y[n, 8·panels] = x[n, d] · W + bias, with W
;; packed by src/model/matmul.ts into panels of 8 columns (panel p holds W[c, 8p .. 8p+7] for every c,
;; 32 bytes per c, zero past the last column). Pointers are byte offsets. A 4-row × 8-column tile
;; keeps its 8 accumulators in registers while one pass over d streams the panel and the 4 x rows;
;; the caller splits d into chunks (rows [c0, c1)) so that a panel's chunk stays in the L1 cache,
;; and the first chunk starts from the bias, the later ones from what y holds.
(module
  (import "env" "memory" (memory 1))

  (func (export "matmul")
    (param $x i32) (param $n i32) (param $d i32) (param $w i32) (param $panels i32)
    (param $bias i32) (param $y i32) (param $c0 i32) (param $c1 i32) (param $first i32)
    (local $p i32) (local $i i32) (local $rowBytes i32) (local $yRowBytes i32)
    (local $wp i32) (local $wEnd i32) (local $wk i32)
    (local $x0 i32) (local $x1 i32) (local $x2 i32) (local $x3 i32)
    (local $y0 i32) (local $b0 v128) (local $b1 v128) (local $w0 v128) (local $w1 v128) (local $s v128)
    (local $a00 v128) (local $a01 v128) (local $a10 v128) (local $a11 v128)
    (local $a20 v128) (local $a21 v128) (local $a30 v128) (local $a31 v128)
    (local.set $rowBytes (i32.shl (local.get $d) (i32.const 2)))
    (local.set $yRowBytes (i32.shl (local.get $panels) (i32.const 5)))
    (block $panelsDone
      (loop $panelsLoop
        (br_if $panelsDone (i32.ge_u (local.get $p) (local.get $panels)))
        ;; this panel's rows c0 .. c1
        (local.set $wp (i32.add (local.get $w)
          (i32.shl (i32.add (i32.mul (local.get $p) (local.get $d)) (local.get $c0)) (i32.const 5))))
        (local.set $wEnd (i32.add (local.get $wp) (i32.shl (i32.sub (local.get $c1) (local.get $c0)) (i32.const 5))))
        (local.set $b0 (v128.load (i32.add (local.get $bias) (i32.shl (local.get $p) (i32.const 5)))))
        (local.set $b1 (v128.load offset=16 (i32.add (local.get $bias) (i32.shl (local.get $p) (i32.const 5)))))
        (local.set $i (i32.const 0))
        ;; four rows at a time
        (block $quadsDone
          (loop $quadsLoop
            (br_if $quadsDone (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $n)))
            (local.set $x0 (i32.add (local.get $x)
              (i32.add (i32.mul (local.get $i) (local.get $rowBytes)) (i32.shl (local.get $c0) (i32.const 2)))))
            (local.set $x1 (i32.add (local.get $x0) (local.get $rowBytes)))
            (local.set $x2 (i32.add (local.get $x1) (local.get $rowBytes)))
            (local.set $x3 (i32.add (local.get $x2) (local.get $rowBytes)))
            (local.set $y0 (i32.add (local.get $y)
              (i32.add (i32.mul (local.get $i) (local.get $yRowBytes)) (i32.shl (local.get $p) (i32.const 5)))))
            (if (local.get $first)
              (then
                (local.set $a00 (local.get $b0)) (local.set $a01 (local.get $b1))
                (local.set $a10 (local.get $b0)) (local.set $a11 (local.get $b1))
                (local.set $a20 (local.get $b0)) (local.set $a21 (local.get $b1))
                (local.set $a30 (local.get $b0)) (local.set $a31 (local.get $b1)))
              (else
                (local.set $a00 (v128.load (local.get $y0)))
                (local.set $a01 (v128.load offset=16 (local.get $y0)))
                (local.set $a10 (v128.load (i32.add (local.get $y0) (local.get $yRowBytes))))
                (local.set $a11 (v128.load offset=16 (i32.add (local.get $y0) (local.get $yRowBytes))))
                (local.set $a20 (v128.load (i32.add (local.get $y0) (i32.shl (local.get $yRowBytes) (i32.const 1)))))
                (local.set $a21 (v128.load offset=16 (i32.add (local.get $y0) (i32.shl (local.get $yRowBytes) (i32.const 1)))))
                (local.set $a30 (v128.load (i32.add (local.get $y0) (i32.mul (local.get $yRowBytes) (i32.const 3)))))
                (local.set $a31 (v128.load offset=16 (i32.add (local.get $y0) (i32.mul (local.get $yRowBytes) (i32.const 3)))))))
            (local.set $wk (local.get $wp))
            (block $dotDone
              (loop $dotLoop
                (br_if $dotDone (i32.ge_u (local.get $wk) (local.get $wEnd)))
                (local.set $w0 (v128.load (local.get $wk)))
                (local.set $w1 (v128.load offset=16 (local.get $wk)))
                (local.set $s (v128.load32_splat (local.get $x0)))
                (local.set $a00 (f32x4.add (local.get $a00) (f32x4.mul (local.get $s) (local.get $w0))))
                (local.set $a01 (f32x4.add (local.get $a01) (f32x4.mul (local.get $s) (local.get $w1))))
                (local.set $s (v128.load32_splat (local.get $x1)))
                (local.set $a10 (f32x4.add (local.get $a10) (f32x4.mul (local.get $s) (local.get $w0))))
                (local.set $a11 (f32x4.add (local.get $a11) (f32x4.mul (local.get $s) (local.get $w1))))
                (local.set $s (v128.load32_splat (local.get $x2)))
                (local.set $a20 (f32x4.add (local.get $a20) (f32x4.mul (local.get $s) (local.get $w0))))
                (local.set $a21 (f32x4.add (local.get $a21) (f32x4.mul (local.get $s) (local.get $w1))))
                (local.set $s (v128.load32_splat (local.get $x3)))
                (local.set $a30 (f32x4.add (local.get $a30) (f32x4.mul (local.get $s) (local.get $w0))))
                (local.set $a31 (f32x4.add (local.get $a31) (f32x4.mul (local.get $s) (local.get $w1))))
                (local.set $x0 (i32.add (local.get $x0) (i32.const 4)))
                (local.set $x1 (i32.add (local.get $x1) (i32.const 4)))
                (local.set $x2 (i32.add (local.get $x2) (i32.const 4)))
                (local.set $x3 (i32.add (local.get $x3) (i32.const 4)))
                (local.set $wk (i32.add (local.get $wk) (i32.const 32)))
                (br $dotLoop)))
            (v128.store (local.get $y0) (local.get $a00))
            (v128.store offset=16 (local.get $y0) (local.get $a01))
            (local.set $y0 (i32.add (local.get $y0) (local.get $yRowBytes)))
            (v128.store (local.get $y0) (local.get $a10))
            (v128.store offset=16 (local.get $y0) (local.get $a11))
            (local.set $y0 (i32.add (local.get $y0) (local.get $yRowBytes)))
            (v128.store (local.get $y0) (local.get $a20))
            (v128.store offset=16 (local.get $y0) (local.get $a21))
            (local.set $y0 (i32.add (local.get $y0) (local.get $yRowBytes)))
            (v128.store (local.get $y0) (local.get $a30))
            (v128.store offset=16 (local.get $y0) (local.get $a31))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $quadsLoop)))
        ;; the last n mod 4 rows, one at a time
        (block $rowsDone
          (loop $rowsLoop
            (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $n)))
            (local.set $x0 (i32.add (local.get $x)
              (i32.add (i32.mul (local.get $i) (local.get $rowBytes)) (i32.shl (local.get $c0) (i32.const 2)))))
            (local.set $y0 (i32.add (local.get $y)
              (i32.add (i32.mul (local.get $i) (local.get $yRowBytes)) (i32.shl (local.get $p) (i32.const 5)))))
            (if (local.get $first)
              (then (local.set $a00 (local.get $b0)) (local.set $a01 (local.get $b1)))
              (else
                (local.set $a00 (v128.load (local.get $y0)))
                (local.set $a01 (v128.load offset=16 (local.get $y0)))))
            (local.set $wk (local.get $wp))
            (block $rowDotDone
              (loop $rowDotLoop
                (br_if $rowDotDone (i32.ge_u (local.get $wk) (local.get $wEnd)))
                (local.set $s (v128.load32_splat (local.get $x0)))
                (local.set $a00 (f32x4.add (local.get $a00) (f32x4.mul (local.get $s) (v128.load (local.get $wk)))))
                (local.set $a01 (f32x4.add (local.get $a01) (f32x4.mul (local.get $s) (v128.load offset=16 (local.get $wk)))))
                (local.set $x0 (i32.add (local.get $x0) (i32.const 4)))
                (local.set $wk (i32.add (local.get $wk) (i32.const 32)))
                (br $rowDotLoop)))
            (v128.store (local.get $y0) (local.get $a00))
            (v128.store offset=16 (local.get $y0) (local.get $a01))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $rowsLoop)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $panelsLoop))))
)
