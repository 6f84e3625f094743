;; SIMD inner loops of the CPU attention path (f32x4); pointers are byte offsets. The row-run
;; functions (scores .. scale, and softmax; JS drives rows and ranges, d a multiple of 4) compute
;; scores of one or two queries against runs of keys, their softmax, and the weighted sums of the
;; matching value rows.
;; The block-GEMM functions (blockTile and after; any d, padded by the caller) do whole tiles of
;; 4 queries, their softmax included.
(module
  (import "env" "memory" (memory 1))

  ;; For each range [starts[r], ends[r]) and key j in it: scores[t++] = scale * dot(q, k[j]).
  ;; Returns the maximum score (-inf when there is none).
  (func (export "scores")
    (param $q i32) (param $k i32) (param $ranges i32) (param $nranges i32)
    (param $d i32) (param $scale f32) (param $out i32) (result f32)
    (local $r i32) (local $j i32) (local $end i32) (local $row i32) (local $c i32)
    (local $rowBytes i32) (local $a0 v128) (local $a1 v128) (local $s f32) (local $max f32)
    (local.set $rowBytes (i32.shl (local.get $d) (i32.const 2)))
    (local.set $max (f32.const -inf))
    (block $rangesDone
      (loop $rangesLoop
        (br_if $rangesDone (i32.ge_u (local.get $r) (local.get $nranges)))
        (local.set $j (i32.load (i32.add (local.get $ranges) (i32.shl (local.get $r) (i32.const 3)))))
        (local.set $end (i32.load offset=4 (i32.add (local.get $ranges) (i32.shl (local.get $r) (i32.const 3)))))
        (local.set $row (i32.add (local.get $k) (i32.mul (local.get $j) (local.get $rowBytes))))
        (block $keysDone
          (loop $keysLoop
            (br_if $keysDone (i32.ge_u (local.get $j) (local.get $end)))
            (local.set $a0 (v128.const f32x4 0 0 0 0))
            (local.set $a1 (v128.const f32x4 0 0 0 0))
            (local.set $c (i32.const 0))
            ;; two accumulators, 8 lanes per step; a d that is 4 mod 8 finishes below
            (block $dotDone
              (loop $dotLoop
                (br_if $dotDone (i32.gt_u (i32.add (local.get $c) (i32.const 32)) (local.get $rowBytes)))
                (local.set $a0 (f32x4.add (local.get $a0)
                  (f32x4.mul (v128.load (i32.add (local.get $q) (local.get $c)))
                             (v128.load (i32.add (local.get $row) (local.get $c))))))
                (local.set $a1 (f32x4.add (local.get $a1)
                  (f32x4.mul (v128.load offset=16 (i32.add (local.get $q) (local.get $c)))
                             (v128.load offset=16 (i32.add (local.get $row) (local.get $c))))))
                (local.set $c (i32.add (local.get $c) (i32.const 32)))
                (br $dotLoop)))
            (if (i32.lt_u (local.get $c) (local.get $rowBytes))
              (then
                (local.set $a0 (f32x4.add (local.get $a0)
                  (f32x4.mul (v128.load (i32.add (local.get $q) (local.get $c)))
                             (v128.load (i32.add (local.get $row) (local.get $c))))))))
            (local.set $a0 (f32x4.add (local.get $a0) (local.get $a1)))
            (local.set $s (f32.mul (local.get $scale)
              (f32.add
                (f32.add (f32x4.extract_lane 0 (local.get $a0)) (f32x4.extract_lane 1 (local.get $a0)))
                (f32.add (f32x4.extract_lane 2 (local.get $a0)) (f32x4.extract_lane 3 (local.get $a0))))))
            (f32.store (local.get $out) (local.get $s))
            (local.set $max (f32.max (local.get $max) (local.get $s)))
            (local.set $out (i32.add (local.get $out) (i32.const 4)))
            (local.set $row (i32.add (local.get $row) (local.get $rowBytes)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $keysLoop)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rangesLoop)))
    (local.get $max))

;; Two query rows against the same keys: each key row is loaded once for both.
  (func (export "scores2")
    (param $q1 i32) (param $q2 i32) (param $k i32) (param $ranges i32) (param $nranges i32)
    (param $d i32) (param $scale f32) (param $out1 i32) (param $out2 i32)
    (local $r i32) (local $j i32) (local $end i32) (local $row i32) (local $c i32)
    (local $rowBytes i32) (local $a v128) (local $b v128) (local $kv v128)
    (local.set $rowBytes (i32.shl (local.get $d) (i32.const 2)))
    (block $rangesDone
      (loop $rangesLoop
        (br_if $rangesDone (i32.ge_u (local.get $r) (local.get $nranges)))
        (local.set $j (i32.load (i32.add (local.get $ranges) (i32.shl (local.get $r) (i32.const 3)))))
        (local.set $end (i32.load offset=4 (i32.add (local.get $ranges) (i32.shl (local.get $r) (i32.const 3)))))
        (local.set $row (i32.add (local.get $k) (i32.mul (local.get $j) (local.get $rowBytes))))
        (block $keysDone
          (loop $keysLoop
            (br_if $keysDone (i32.ge_u (local.get $j) (local.get $end)))
            (local.set $a (v128.const f32x4 0 0 0 0))
            (local.set $b (v128.const f32x4 0 0 0 0))
            (local.set $c (i32.const 0))
            (block $dotDone
              (loop $dotLoop
                (br_if $dotDone (i32.ge_u (local.get $c) (local.get $rowBytes)))
                (local.set $kv (v128.load (i32.add (local.get $row) (local.get $c))))
                (local.set $a (f32x4.add (local.get $a) (f32x4.mul (local.get $kv) (v128.load (i32.add (local.get $q1) (local.get $c))))))
                (local.set $b (f32x4.add (local.get $b) (f32x4.mul (local.get $kv) (v128.load (i32.add (local.get $q2) (local.get $c))))))
                (local.set $c (i32.add (local.get $c) (i32.const 16)))
                (br $dotLoop)))
            (f32.store (local.get $out1) (f32.mul (local.get $scale)
              (f32.add
                (f32.add (f32x4.extract_lane 0 (local.get $a)) (f32x4.extract_lane 1 (local.get $a)))
                (f32.add (f32x4.extract_lane 2 (local.get $a)) (f32x4.extract_lane 3 (local.get $a))))))
            (f32.store (local.get $out2) (f32.mul (local.get $scale)
              (f32.add
                (f32.add (f32x4.extract_lane 0 (local.get $b)) (f32x4.extract_lane 1 (local.get $b)))
                (f32.add (f32x4.extract_lane 2 (local.get $b)) (f32x4.extract_lane 3 (local.get $b))))))
            (local.set $out1 (i32.add (local.get $out1) (i32.const 4)))
            (local.set $out2 (i32.add (local.get $out2) (i32.const 4)))
            (local.set $row (i32.add (local.get $row) (local.get $rowBytes)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $keysLoop)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rangesLoop))))

  ;; out[0..d) += sum over the keys of weights[t++] * v[j] (no zeroing, no scaling).
  (func (export "axpy")
    (param $v i32) (param $ranges i32) (param $nranges i32) (param $d i32)
    (param $weights i32) (param $out i32)
    (local $r i32) (local $j i32) (local $end i32) (local $row i32) (local $c i32)
    (local $rowBytes i32) (local $w v128) (local $o i32)
    (local.set $rowBytes (i32.shl (local.get $d) (i32.const 2)))
    (block $rangesDone
      (loop $rangesLoop
        (br_if $rangesDone (i32.ge_u (local.get $r) (local.get $nranges)))
        (local.set $j (i32.load (i32.add (local.get $ranges) (i32.shl (local.get $r) (i32.const 3)))))
        (local.set $end (i32.load offset=4 (i32.add (local.get $ranges) (i32.shl (local.get $r) (i32.const 3)))))
        (local.set $row (i32.add (local.get $v) (i32.mul (local.get $j) (local.get $rowBytes))))
        (block $keysDone
          (loop $keysLoop
            (br_if $keysDone (i32.ge_u (local.get $j) (local.get $end)))
            (local.set $w (f32x4.splat (f32.load (local.get $weights))))
            (local.set $c (i32.const 0))
            (block $axpyDone
              (loop $axpyLoop
                (br_if $axpyDone (i32.ge_u (local.get $c) (local.get $rowBytes)))
                (local.set $o (i32.add (local.get $out) (local.get $c)))
                (v128.store (local.get $o)
                  (f32x4.add (v128.load (local.get $o))
                    (f32x4.mul (local.get $w) (v128.load (i32.add (local.get $row) (local.get $c))))))
                (local.set $c (i32.add (local.get $c) (i32.const 16)))
                (br $axpyLoop)))
            (local.set $weights (i32.add (local.get $weights) (i32.const 4)))
            (local.set $row (i32.add (local.get $row) (local.get $rowBytes)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $keysLoop)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rangesLoop))))

  ;; Two output rows with their own weights over the same keys: each value row is loaded once.
  (func (export "axpy2")
    (param $v i32) (param $ranges i32) (param $nranges i32) (param $d i32)
    (param $w1 i32) (param $w2 i32) (param $out1 i32) (param $out2 i32)
    (local $r i32) (local $j i32) (local $end i32) (local $row i32) (local $c i32)
    (local $rowBytes i32) (local $a v128) (local $b v128) (local $vv v128) (local $o1 i32) (local $o2 i32)
    (local.set $rowBytes (i32.shl (local.get $d) (i32.const 2)))
    (block $rangesDone
      (loop $rangesLoop
        (br_if $rangesDone (i32.ge_u (local.get $r) (local.get $nranges)))
        (local.set $j (i32.load (i32.add (local.get $ranges) (i32.shl (local.get $r) (i32.const 3)))))
        (local.set $end (i32.load offset=4 (i32.add (local.get $ranges) (i32.shl (local.get $r) (i32.const 3)))))
        (local.set $row (i32.add (local.get $v) (i32.mul (local.get $j) (local.get $rowBytes))))
        (block $keysDone
          (loop $keysLoop
            (br_if $keysDone (i32.ge_u (local.get $j) (local.get $end)))
            (local.set $a (f32x4.splat (f32.load (local.get $w1))))
            (local.set $b (f32x4.splat (f32.load (local.get $w2))))
            (local.set $c (i32.const 0))
            (block $axpyDone
              (loop $axpyLoop
                (br_if $axpyDone (i32.ge_u (local.get $c) (local.get $rowBytes)))
                (local.set $vv (v128.load (i32.add (local.get $row) (local.get $c))))
                (local.set $o1 (i32.add (local.get $out1) (local.get $c)))
                (local.set $o2 (i32.add (local.get $out2) (local.get $c)))
                (v128.store (local.get $o1) (f32x4.add (v128.load (local.get $o1)) (f32x4.mul (local.get $a) (local.get $vv))))
                (v128.store (local.get $o2) (f32x4.add (v128.load (local.get $o2)) (f32x4.mul (local.get $b) (local.get $vv))))
                (local.set $c (i32.add (local.get $c) (i32.const 16)))
                (br $axpyLoop)))
            (local.set $w1 (i32.add (local.get $w1) (i32.const 4)))
            (local.set $w2 (i32.add (local.get $w2) (i32.const 4)))
            (local.set $row (i32.add (local.get $row) (local.get $rowBytes)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $keysLoop)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rangesLoop))))

  ;; out[0..d) *= inv
  (func (export "scale")
    (param $out i32) (param $d i32) (param $inv f32)
    (local $c i32) (local $rowBytes i32) (local $w v128) (local $o i32)
    (local.set $rowBytes (i32.shl (local.get $d) (i32.const 2)))
    (local.set $w (f32x4.splat (local.get $inv)))
    (block $scaleDone
      (loop $scaleLoop
        (br_if $scaleDone (i32.ge_u (local.get $c) (local.get $rowBytes)))
        (local.set $o (i32.add (local.get $out) (local.get $c)))
        (v128.store (local.get $o) (f32x4.mul (local.get $w) (v128.load (local.get $o))))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $scaleLoop))))

  ;; ---- The block-GEMM path (blockGemm.ts): 4 queries at a time against panels of keys ----

  ;; e^x for x <= 0 in four lanes (Cephes expf: n = round(x log2 e), a degree-6 polynomial of the
  ;; remainder, times 2^n; about 1 ulp). Below -87.34 (where 2^n leaves the normal range) and for
  ;; -inf it is 0, so masked cells weigh exactly nothing; NaN stays NaN.
  (func $exp (param $x v128) (result v128)
    (local $n v128) (local $r v128) (local $p v128)
    (local.set $n (f32x4.nearest (f32x4.mul (local.get $x) (v128.const f32x4 1.44269504088896341 1.44269504088896341 1.44269504088896341 1.44269504088896341))))
    (local.set $r (f32x4.sub
      (f32x4.sub (local.get $x) (f32x4.mul (local.get $n) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375)))
      (f32x4.mul (local.get $n) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
    (local.set $p (f32x4.relaxed_madd (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4) (local.get $r) (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3)))
    (local.set $p (f32x4.relaxed_madd (local.get $p) (local.get $r) (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3)))
    (local.set $p (f32x4.relaxed_madd (local.get $p) (local.get $r) (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2)))
    (local.set $p (f32x4.relaxed_madd (local.get $p) (local.get $r) (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1)))
    (local.set $p (f32x4.relaxed_madd (local.get $p) (local.get $r) (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1)))
    (local.set $p (f32x4.add
      (f32x4.add (f32x4.mul (local.get $p) (f32x4.mul (local.get $r) (local.get $r))) (local.get $r))
      (v128.const f32x4 1 1 1 1)))
    (v128.bitselect
      (v128.const i32x4 0 0 0 0)
      (f32x4.mul (local.get $p)
        (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $n)) (v128.const i32x4 127 127 127 127)) (i32.const 23)))
      (f32x4.lt (local.get $x) (v128.const f32x4 -87.3365478515625 -87.3365478515625 -87.3365478515625 -87.3365478515625))))

  ;; The row-run path's softmax (simd.ts): over `count` scores at ptr, the max, then exp(s - max) in
  ;; place (the vectorised exp of $exp, 0 below -87.34); stats gets the f32 max at +0 and the f64 sum
  ;; of the weights at +8. count = 0 leaves max -inf and sum 0.
  (func (export "softmax") (param $ptr i32) (param $count i32) (param $stats i32)
    (local $p i32) (local $end i32) (local $vend i32) (local $max f32) (local $tail f64)
    (local $m v128) (local $w v128) (local $sum v128)
    (local $ex v128) (local $en v128) (local $er v128) (local $ep v128)
    (local.set $end (i32.add (local.get $ptr) (i32.shl (local.get $count) (i32.const 2))))
    (local.set $vend (i32.add (local.get $ptr) (i32.shl (i32.and (local.get $count) (i32.const -4)) (i32.const 2))))
    (local.set $m (v128.const f32x4 -inf -inf -inf -inf))
    (local.set $p (local.get $ptr))
    (block $maxDone
      (loop $maxLoop
        (br_if $maxDone (i32.ge_u (local.get $p) (local.get $vend)))
        (local.set $m (f32x4.max (local.get $m) (v128.load (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $maxLoop)))
    (local.set $max (f32.max
      (f32.max (f32x4.extract_lane 0 (local.get $m)) (f32x4.extract_lane 1 (local.get $m)))
      (f32.max (f32x4.extract_lane 2 (local.get $m)) (f32x4.extract_lane 3 (local.get $m)))))
    (block $maxTailDone
      (loop $maxTailLoop
        (br_if $maxTailDone (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $max (f32.max (local.get $max) (f32.load (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $maxTailLoop)))
    (local.set $m (f32x4.splat (local.get $max)))
    (local.set $sum (v128.const i32x4 0 0 0 0))
    (local.set $p (local.get $ptr))
    (block $expDone
      (loop $expLoop
        (br_if $expDone (i32.ge_u (local.get $p) (local.get $vend)))
        (local.set $ex (f32x4.sub (v128.load (local.get $p)) (local.get $m)))
        (local.set $en (f32x4.nearest (f32x4.mul (local.get $ex) (v128.const f32x4 1.44269504088896341 1.44269504088896341 1.44269504088896341 1.44269504088896341))))
        (local.set $er (f32x4.sub
          (f32x4.sub (local.get $ex) (f32x4.mul (local.get $en) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375)))
          (f32x4.mul (local.get $en) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
        (local.set $ep (f32x4.relaxed_madd (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4) (local.get $er) (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3)))
        (local.set $ep (f32x4.relaxed_madd (local.get $ep) (local.get $er) (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3)))
        (local.set $ep (f32x4.relaxed_madd (local.get $ep) (local.get $er) (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2)))
        (local.set $ep (f32x4.relaxed_madd (local.get $ep) (local.get $er) (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1)))
        (local.set $ep (f32x4.relaxed_madd (local.get $ep) (local.get $er) (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1)))
        (local.set $ep (f32x4.add
          (f32x4.add (f32x4.mul (local.get $ep) (f32x4.mul (local.get $er) (local.get $er))) (local.get $er))
          (v128.const f32x4 1 1 1 1)))
        (local.set $w
          (v128.bitselect
            (v128.const i32x4 0 0 0 0)
            (f32x4.mul (local.get $ep)
              (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $en)) (v128.const i32x4 127 127 127 127)) (i32.const 23)))
            (f32x4.lt (local.get $ex) (v128.const f32x4 -87.3365478515625 -87.3365478515625 -87.3365478515625 -87.3365478515625))))
        (v128.store (local.get $p) (local.get $w))
        (local.set $sum (f64x2.add (local.get $sum)
          (f64x2.add (f64x2.promote_low_f32x4 (local.get $w))
            (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $w) (local.get $w))))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $expLoop)))
    (block $expTailDone
      (loop $expTailLoop
        (br_if $expTailDone (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $w (call $exp (f32x4.splat (f32.sub (f32.load (local.get $p)) (local.get $max)))))
        (f32.store (local.get $p) (f32x4.extract_lane 0 (local.get $w)))
        (local.set $tail (f64.add (local.get $tail) (f64.promote_f32 (f32x4.extract_lane 0 (local.get $w)))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $expTailLoop)))
    (f32.store (local.get $stats) (local.get $max))
    (f64.store offset=8 (local.get $stats)
      (f64.add (local.get $tail) (f64.add (f64x2.extract_lane 0 (local.get $sum)) (f64x2.extract_lane 1 (local.get $sum))))))

  ;; One tile: 4 queries against panel columns [col0, col0 + cols), cols a multiple of 8. q is the
  ;; tile's queries packed by packQueries (for each feature, the 4 queries' values side by side), kt
  ;; the key panel packed by 8 columns (packKeys: the d x 8 transposed keys of columns 8p..8p+8 lie
  ;; contiguous at kt + 8p * d * 4), v the value panel (a row of dPad floats per key, dPad a multiple
  ;; of 8). s holds the tile's scores column by column, the 4 queries side by side, so that the
  ;; softmax runs on the 4 rows at once and every load below is one pointer plus a constant. Steps:
  ;; 1. scores in a 4 x 8 register tile over d (per feature the 8 keys' values and each query's
  ;;    one, splat), transposed to key by key, scaled, masked (when `masked`: row r may use columns
  ;;    below own0 + r*ownStep, in [sumLo, gapLo) and in [gapHi, sumHi)) and stored, the rows'
  ;;    maxima kept (a row of 8 keys costs d iterations, so the transpose is cheap);
  ;; 2. online softmax: the running max grows (state: the tile's 4 f32 maxima at +0, its 4 f64
  ;;    sums at +16), o's rows rescale when it did, and s gets the weights;
  ;; 3. o (4 rows of dPad floats) += weights x v in a 4 x 8 register tile over the keys.
  (func $blockTile (export "blockTile")
    (param $q i32) (param $d i32) (param $kt i32)
    (param $v i32) (param $dPad i32) (param $col0 i32) (param $cols i32) (param $scale f32)
    (param $s i32) (param $o i32) (param $state i32)
    (param $own0 i32) (param $ownStep i32) (param $sumLo i32) (param $gapLo i32) (param $gapHi i32) (param $sumHi i32)
    (param $masked i32)
    (local $j i32) (local $cb i32) (local $kp i32) (local $sp i32) (local $qp i32) (local $qEnd i32) (local $sEnd i32)
    (local $dBytes i32) (local $oStride i32) (local $op i32) (local $idx i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $a4 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128)
    (local $qv v128) (local $k0 v128) (local $k1 v128) (local $w v128) (local $sc v128) (local $mx v128)
    (local $ends v128) (local $mo v128) (local $ms v128) (local $al v128)
    (local $z0 v128) (local $z1 v128) (local $z2 v128) (local $z3 v128)
    (local $ex v128) (local $en v128) (local $er v128) (local $ep v128)
    (local.set $dBytes (i32.shl (local.get $d) (i32.const 2)))
    (local.set $oStride (i32.shl (local.get $dPad) (i32.const 2)))
    (local.set $qEnd (i32.add (local.get $q) (i32.shl (local.get $dBytes) (i32.const 2))))
    (local.set $sEnd (i32.add (local.get $s) (i32.shl (local.get $cols) (i32.const 4))))
    (local.set $sc (f32x4.splat (local.get $scale)))
    (local.set $mx (v128.const f32x4 -inf -inf -inf -inf))
    (local.set $ends (i32x4.add (i32x4.splat (local.get $own0))
      (i32x4.mul (i32x4.splat (local.get $ownStep)) (v128.const i32x4 0 1 2 3))))

    ;; 1. scores
    (local.set $j (i32.const 0))
    (block $scoresDone
      (loop $scoresLoop
        (br_if $scoresDone (i32.ge_u (local.get $j) (local.get $cols)))
        (local.set $a0 (v128.const i32x4 0 0 0 0)) (local.set $a1 (v128.const i32x4 0 0 0 0))
        (local.set $a2 (v128.const i32x4 0 0 0 0)) (local.set $a3 (v128.const i32x4 0 0 0 0))
        (local.set $a4 (v128.const i32x4 0 0 0 0)) (local.set $a5 (v128.const i32x4 0 0 0 0))
        (local.set $a6 (v128.const i32x4 0 0 0 0)) (local.set $a7 (v128.const i32x4 0 0 0 0))
        (local.set $kp (i32.add (local.get $kt) (i32.mul (i32.add (local.get $col0) (local.get $j)) (local.get $dBytes))))
        (local.set $qp (local.get $q))
        (block $featuresDone
          (loop $featuresLoop
            (br_if $featuresDone (i32.ge_u (local.get $qp) (local.get $qEnd)))
            (local.set $k0 (v128.load (local.get $kp)))
            (local.set $k1 (v128.load offset=16 (local.get $kp)))
            (local.set $w (v128.load32_splat offset=0 (local.get $qp)))
            (local.set $a0 (f32x4.relaxed_madd (local.get $w) (local.get $k0) (local.get $a0)))
            (local.set $a1 (f32x4.relaxed_madd (local.get $w) (local.get $k1) (local.get $a1)))
            (local.set $w (v128.load32_splat offset=4 (local.get $qp)))
            (local.set $a2 (f32x4.relaxed_madd (local.get $w) (local.get $k0) (local.get $a2)))
            (local.set $a3 (f32x4.relaxed_madd (local.get $w) (local.get $k1) (local.get $a3)))
            (local.set $w (v128.load32_splat offset=8 (local.get $qp)))
            (local.set $a4 (f32x4.relaxed_madd (local.get $w) (local.get $k0) (local.get $a4)))
            (local.set $a5 (f32x4.relaxed_madd (local.get $w) (local.get $k1) (local.get $a5)))
            (local.set $w (v128.load32_splat offset=12 (local.get $qp)))
            (local.set $a6 (f32x4.relaxed_madd (local.get $w) (local.get $k0) (local.get $a6)))
            (local.set $a7 (f32x4.relaxed_madd (local.get $w) (local.get $k1) (local.get $a7)))
            (local.set $kp (i32.add (local.get $kp) (i32.const 32)))
            (local.set $qp (i32.add (local.get $qp) (i32.const 16)))
            (br $featuresLoop)))
        ;; the tile came out row by row: transposed, so that s holds it key by key
        (local.set $k0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a0) (local.get $a2)))
        (local.set $k1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a0) (local.get $a2)))
        (local.set $w (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a4) (local.get $a6)))
        (local.set $qv (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a4) (local.get $a6)))
        (local.set $a0 (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $k0) (local.get $w)))
        (local.set $a2 (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $k0) (local.get $w)))
        (local.set $a4 (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $k1) (local.get $qv)))
        (local.set $a6 (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $k1) (local.get $qv)))
        (local.set $k0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a1) (local.get $a3)))
        (local.set $k1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a1) (local.get $a3)))
        (local.set $w (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a5) (local.get $a7)))
        (local.set $qv (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a5) (local.get $a7)))
        (local.set $a1 (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $k0) (local.get $w)))
        (local.set $a3 (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $k0) (local.get $w)))
        (local.set $a5 (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $k1) (local.get $qv)))
        (local.set $a7 (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $k1) (local.get $qv)))
        (local.set $a0 (f32x4.mul (local.get $a0) (local.get $sc)))
        (local.set $a1 (f32x4.mul (local.get $a1) (local.get $sc)))
        (local.set $a2 (f32x4.mul (local.get $a2) (local.get $sc)))
        (local.set $a3 (f32x4.mul (local.get $a3) (local.get $sc)))
        (local.set $a4 (f32x4.mul (local.get $a4) (local.get $sc)))
        (local.set $a5 (f32x4.mul (local.get $a5) (local.get $sc)))
        (local.set $a6 (f32x4.mul (local.get $a6) (local.get $sc)))
        (local.set $a7 (f32x4.mul (local.get $a7) (local.get $sc)))
        (local.set $sp (i32.add (local.get $s) (i32.shl (local.get $j) (i32.const 4))))
        (v128.store offset=0 (local.get $sp) (local.get $a0))
        (v128.store offset=16 (local.get $sp) (local.get $a2))
        (v128.store offset=32 (local.get $sp) (local.get $a4))
        (v128.store offset=48 (local.get $sp) (local.get $a6))
        (v128.store offset=64 (local.get $sp) (local.get $a1))
        (v128.store offset=80 (local.get $sp) (local.get $a3))
        (v128.store offset=96 (local.get $sp) (local.get $a5))
        (v128.store offset=112 (local.get $sp) (local.get $a7))
        (if (local.get $masked)
          (then
            (local.set $cb (i32.const 0))
            (block $maskDone
              (loop $maskLoop
                (br_if $maskDone (i32.ge_u (local.get $cb) (i32.const 128)))
                (local.set $idx (i32.add (i32.add (local.get $col0) (local.get $j)) (i32.shr_u (local.get $cb) (i32.const 4))))
                (local.set $w (v128.load (i32.add (local.get $sp) (local.get $cb))))
                (if (i32.eqz (i32.or
                      (i32.and (i32.ge_s (local.get $idx) (local.get $sumLo)) (i32.lt_s (local.get $idx) (local.get $gapLo)))
                      (i32.and (i32.ge_s (local.get $idx) (local.get $gapHi)) (i32.lt_s (local.get $idx) (local.get $sumHi)))))
                  (then
                    (local.set $w (v128.bitselect (local.get $w) (v128.const f32x4 -inf -inf -inf -inf)
                      (i32x4.lt_s (i32x4.splat (local.get $idx)) (local.get $ends))))
                    (v128.store (i32.add (local.get $sp) (local.get $cb)) (local.get $w))))
                (local.set $mx (f32x4.max (local.get $mx) (local.get $w)))
                (local.set $cb (i32.add (local.get $cb) (i32.const 16)))
                (br $maskLoop))))
          (else
            (local.set $mx (f32x4.max (local.get $mx)
              (f32x4.max
                (f32x4.max (f32x4.max (local.get $a0) (local.get $a1)) (f32x4.max (local.get $a2) (local.get $a3)))
                (f32x4.max (f32x4.max (local.get $a4) (local.get $a5)) (f32x4.max (local.get $a6) (local.get $a7))))))))
        (local.set $j (i32.add (local.get $j) (i32.const 8)))
        (br $scoresLoop)))

    ;; 2. online softmax, the 4 rows at once; a row with nothing allowed yet keeps max -inf and
    ;; gets weights 0 (its exponents are taken against 0 instead of -inf)
    (local.set $mo (v128.load (local.get $state)))
    (local.set $mx (f32x4.max (local.get $mo) (local.get $mx)))
    (v128.store (local.get $state) (local.get $mx))
    (local.set $ms (v128.bitselect (v128.const i32x4 0 0 0 0) (local.get $mx) (f32x4.eq (local.get $mx) (v128.const f32x4 -inf -inf -inf -inf))))
    (local.set $al (call $exp (f32x4.sub (local.get $mo) (local.get $ms))))
    (local.set $z0 (v128.const i32x4 0 0 0 0)) (local.set $z1 (v128.const i32x4 0 0 0 0))
    (local.set $z2 (v128.const i32x4 0 0 0 0)) (local.set $z3 (v128.const i32x4 0 0 0 0))
    (local.set $sp (local.get $s))
    (block $expDone
      (loop $expLoop
        (br_if $expDone (i32.ge_u (local.get $sp) (local.get $sEnd)))
        ;; $exp inlined (V8 does not inline WebAssembly calls here), 4 columns a step with a sum each
                (local.set $ex (f32x4.sub (v128.load offset=0 (local.get $sp)) (local.get $ms)))
                (local.set $en (f32x4.nearest (f32x4.mul (local.get $ex) (v128.const f32x4 1.44269504088896341 1.44269504088896341 1.44269504088896341 1.44269504088896341))))
                (local.set $er (f32x4.sub
                  (f32x4.sub (local.get $ex) (f32x4.mul (local.get $en) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375)))
                  (f32x4.mul (local.get $en) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
                (local.set $ep (f32x4.relaxed_madd (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4) (local.get $er) (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3)))
                (local.set $ep (f32x4.relaxed_madd (local.get $ep) (local.get $er) (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3)))
                (local.set $ep (f32x4.relaxed_madd (local.get $ep) (local.get $er) (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2)))
                (local.set $ep (f32x4.relaxed_madd (local.get $ep) (local.get $er) (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1)))
                (local.set $ep (f32x4.relaxed_madd (local.get $ep) (local.get $er) (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1)))
                (local.set $ep (f32x4.add
                  (f32x4.add (f32x4.mul (local.get $ep) (f32x4.mul (local.get $er) (local.get $er))) (local.get $er))
                  (v128.const f32x4 1 1 1 1)))
                (local.set $w
                  (v128.bitselect
                    (v128.const i32x4 0 0 0 0)
                    (f32x4.mul (local.get $ep)
                      (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $en)) (v128.const i32x4 127 127 127 127)) (i32.const 23)))
                    (f32x4.lt (local.get $ex) (v128.const f32x4 -87.3365478515625 -87.3365478515625 -87.3365478515625 -87.3365478515625))))
                (v128.store offset=0 (local.get $sp) (local.get $w))
                (local.set $z0 (f32x4.add (local.get $z0) (local.get $w)))
                (local.set $ex (f32x4.sub (v128.load offset=16 (local.get $sp)) (local.get $ms)))
                (local.set $en (f32x4.nearest (f32x4.mul (local.get $ex) (v128.const f32x4 1.44269504088896341 1.44269504088896341 1.44269504088896341 1.44269504088896341))))
                (local.set $er (f32x4.sub
                  (f32x4.sub (local.get $ex) (f32x4.mul (local.get $en) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375)))
                  (f32x4.mul (local.get $en) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
                (local.set $ep (f32x4.relaxed_madd (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4) (local.get $er) (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3)))
                (local.set $ep (f32x4.relaxed_madd (local.get $ep) (local.get $er) (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3)))
                (local.set $ep (f32x4.relaxed_madd (local.get $ep) (local.get $er) (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2)))
                (local.set $ep (f32x4.relaxed_madd (local.get $ep) (local.get $er) (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1)))
                (local.set $ep (f32x4.relaxed_madd (local.get $ep) (local.get $er) (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1)))
                (local.set $ep (f32x4.add
                  (f32x4.add (f32x4.mul (local.get $ep) (f32x4.mul (local.get $er) (local.get $er))) (local.get $er))
                  (v128.const f32x4 1 1 1 1)))
                (local.set $w
                  (v128.bitselect
                    (v128.const i32x4 0 0 0 0)
                    (f32x4.mul (local.get $ep)
                      (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $en)) (v128.const i32x4 127 127 127 127)) (i32.const 23)))
                    (f32x4.lt (local.get $ex) (v128.const f32x4 -87.3365478515625 -87.3365478515625 -87.3365478515625 -87.3365478515625))))
                (v128.store offset=16 (local.get $sp) (local.get $w))
                (local.set $z1 (f32x4.add (local.get $z1) (local.get $w)))
                (local.set $ex (f32x4.sub (v128.load offset=32 (local.get $sp)) (local.get $ms)))
                (local.set $en (f32x4.nearest (f32x4.mul (local.get $ex) (v128.const f32x4 1.44269504088896341 1.44269504088896341 1.44269504088896341 1.44269504088896341))))
                (local.set $er (f32x4.sub
                  (f32x4.sub (local.get $ex) (f32x4.mul (local.get $en) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375)))
                  (f32x4.mul (local.get $en) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
                (local.set $ep (f32x4.relaxed_madd (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4) (local.get $er) (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3)))
                (local.set $ep (f32x4.relaxed_madd (local.get $ep) (local.get $er) (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3)))
                (local.set $ep (f32x4.relaxed_madd (local.get $ep) (local.get $er) (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2)))
                (local.set $ep (f32x4.relaxed_madd (local.get $ep) (local.get $er) (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1)))
                (local.set $ep (f32x4.relaxed_madd (local.get $ep) (local.get $er) (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1)))
                (local.set $ep (f32x4.add
                  (f32x4.add (f32x4.mul (local.get $ep) (f32x4.mul (local.get $er) (local.get $er))) (local.get $er))
                  (v128.const f32x4 1 1 1 1)))
                (local.set $w
                  (v128.bitselect
                    (v128.const i32x4 0 0 0 0)
                    (f32x4.mul (local.get $ep)
                      (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $en)) (v128.const i32x4 127 127 127 127)) (i32.const 23)))
                    (f32x4.lt (local.get $ex) (v128.const f32x4 -87.3365478515625 -87.3365478515625 -87.3365478515625 -87.3365478515625))))
                (v128.store offset=32 (local.get $sp) (local.get $w))
                (local.set $z2 (f32x4.add (local.get $z2) (local.get $w)))
                (local.set $ex (f32x4.sub (v128.load offset=48 (local.get $sp)) (local.get $ms)))
                (local.set $en (f32x4.nearest (f32x4.mul (local.get $ex) (v128.const f32x4 1.44269504088896341 1.44269504088896341 1.44269504088896341 1.44269504088896341))))
                (local.set $er (f32x4.sub
                  (f32x4.sub (local.get $ex) (f32x4.mul (local.get $en) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375)))
                  (f32x4.mul (local.get $en) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
                (local.set $ep (f32x4.relaxed_madd (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4) (local.get $er) (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3)))
                (local.set $ep (f32x4.relaxed_madd (local.get $ep) (local.get $er) (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3)))
                (local.set $ep (f32x4.relaxed_madd (local.get $ep) (local.get $er) (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2)))
                (local.set $ep (f32x4.relaxed_madd (local.get $ep) (local.get $er) (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1)))
                (local.set $ep (f32x4.relaxed_madd (local.get $ep) (local.get $er) (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1)))
                (local.set $ep (f32x4.add
                  (f32x4.add (f32x4.mul (local.get $ep) (f32x4.mul (local.get $er) (local.get $er))) (local.get $er))
                  (v128.const f32x4 1 1 1 1)))
                (local.set $w
                  (v128.bitselect
                    (v128.const i32x4 0 0 0 0)
                    (f32x4.mul (local.get $ep)
                      (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $en)) (v128.const i32x4 127 127 127 127)) (i32.const 23)))
                    (f32x4.lt (local.get $ex) (v128.const f32x4 -87.3365478515625 -87.3365478515625 -87.3365478515625 -87.3365478515625))))
                (v128.store offset=48 (local.get $sp) (local.get $w))
                (local.set $z3 (f32x4.add (local.get $z3) (local.get $w)))
        (local.set $sp (i32.add (local.get $sp) (i32.const 64)))
        (br $expLoop)))
    (local.set $z0 (f32x4.add (f32x4.add (local.get $z0) (local.get $z1)) (f32x4.add (local.get $z2) (local.get $z3))))
    (v128.store offset=16 (local.get $state)
      (f64x2.add
        (f64x2.mul (v128.load offset=16 (local.get $state)) (f64x2.promote_low_f32x4 (local.get $al)))
        (f64x2.promote_low_f32x4 (local.get $z0))))
    (v128.store offset=32 (local.get $state)
      (f64x2.add
        (f64x2.mul (v128.load offset=32 (local.get $state))
          (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $al) (local.get $al))))
        (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $z0) (local.get $z0)))))
    (local.set $op (local.get $o))
            (if (f32.ne (f32x4.extract_lane 0 (local.get $al)) (f32.const 1))
              (then (call $scaleRow (local.get $op) (local.get $oStride) (f32x4.extract_lane 0 (local.get $al)))))
            (if (f32.ne (f32x4.extract_lane 1 (local.get $al)) (f32.const 1))
              (then (call $scaleRow (i32.add (local.get $op) (i32.mul (local.get $oStride) (i32.const 1))) (local.get $oStride) (f32x4.extract_lane 1 (local.get $al)))))
            (if (f32.ne (f32x4.extract_lane 2 (local.get $al)) (f32.const 1))
              (then (call $scaleRow (i32.add (local.get $op) (i32.mul (local.get $oStride) (i32.const 2))) (local.get $oStride) (f32x4.extract_lane 2 (local.get $al)))))
            (if (f32.ne (f32x4.extract_lane 3 (local.get $al)) (f32.const 1))
              (then (call $scaleRow (i32.add (local.get $op) (i32.mul (local.get $oStride) (i32.const 3))) (local.get $oStride) (f32x4.extract_lane 3 (local.get $al)))))

    ;; 3. o += weights x v, 8 output features at a time
    (local.set $cb (i32.const 0))
    (block $outDone
      (loop $outLoop
        (br_if $outDone (i32.ge_u (local.get $cb) (local.get $oStride)))
        (local.set $op (i32.add (local.get $o) (local.get $cb)))
        (local.set $a0 (v128.load (local.get $op)))
        (local.set $a1 (v128.load offset=16 (local.get $op)))
        (local.set $a2 (v128.load (i32.add (local.get $op) (i32.mul (local.get $oStride) (i32.const 1)))))
        (local.set $a3 (v128.load offset=16 (i32.add (local.get $op) (i32.mul (local.get $oStride) (i32.const 1)))))
        (local.set $a4 (v128.load (i32.add (local.get $op) (i32.mul (local.get $oStride) (i32.const 2)))))
        (local.set $a5 (v128.load offset=16 (i32.add (local.get $op) (i32.mul (local.get $oStride) (i32.const 2)))))
        (local.set $a6 (v128.load (i32.add (local.get $op) (i32.mul (local.get $oStride) (i32.const 3)))))
        (local.set $a7 (v128.load offset=16 (i32.add (local.get $op) (i32.mul (local.get $oStride) (i32.const 3)))))
        (local.set $kp (i32.add (i32.add (local.get $v) (i32.mul (local.get $col0) (local.get $oStride))) (local.get $cb)))
        (local.set $sp (local.get $s))
        (block $keysDone
          (loop $keysLoop
            (br_if $keysDone (i32.ge_u (local.get $sp) (local.get $sEnd)))
            (local.set $k0 (v128.load (local.get $kp)))
            (local.set $k1 (v128.load offset=16 (local.get $kp)))
            (local.set $w (v128.load32_splat offset=0 (local.get $sp)))
            (local.set $a0 (f32x4.relaxed_madd (local.get $w) (local.get $k0) (local.get $a0)))
            (local.set $a1 (f32x4.relaxed_madd (local.get $w) (local.get $k1) (local.get $a1)))
            (local.set $w (v128.load32_splat offset=4 (local.get $sp)))
            (local.set $a2 (f32x4.relaxed_madd (local.get $w) (local.get $k0) (local.get $a2)))
            (local.set $a3 (f32x4.relaxed_madd (local.get $w) (local.get $k1) (local.get $a3)))
            (local.set $w (v128.load32_splat offset=8 (local.get $sp)))
            (local.set $a4 (f32x4.relaxed_madd (local.get $w) (local.get $k0) (local.get $a4)))
            (local.set $a5 (f32x4.relaxed_madd (local.get $w) (local.get $k1) (local.get $a5)))
            (local.set $w (v128.load32_splat offset=12 (local.get $sp)))
            (local.set $a6 (f32x4.relaxed_madd (local.get $w) (local.get $k0) (local.get $a6)))
            (local.set $a7 (f32x4.relaxed_madd (local.get $w) (local.get $k1) (local.get $a7)))
            (local.set $kp (i32.add (local.get $kp) (local.get $oStride)))
            (local.set $sp (i32.add (local.get $sp) (i32.const 16)))
            (br $keysLoop)))
        (v128.store (local.get $op) (local.get $a0))
        (v128.store offset=16 (local.get $op) (local.get $a1))
        (v128.store (i32.add (local.get $op) (i32.mul (local.get $oStride) (i32.const 1))) (local.get $a2))
        (v128.store offset=16 (i32.add (local.get $op) (i32.mul (local.get $oStride) (i32.const 1))) (local.get $a3))
        (v128.store (i32.add (local.get $op) (i32.mul (local.get $oStride) (i32.const 2))) (local.get $a4))
        (v128.store offset=16 (i32.add (local.get $op) (i32.mul (local.get $oStride) (i32.const 2))) (local.get $a5))
        (v128.store (i32.add (local.get $op) (i32.mul (local.get $oStride) (i32.const 3))) (local.get $a6))
        (v128.store offset=16 (i32.add (local.get $op) (i32.mul (local.get $oStride) (i32.const 3))) (local.get $a7))
        (local.set $cb (i32.add (local.get $cb) (i32.const 32)))
        (br $outLoop))))

  ;; One row of o (`bytes` a multiple of 16) times `factor`.
  (func $scaleRow (param $op i32) (param $bytes i32) (param $factor f32)
    (local $cb i32) (local $w v128)
    (local.set $w (f32x4.splat (local.get $factor)))
    (block $done
      (loop $loop
        (br_if $done (i32.ge_u (local.get $cb) (local.get $bytes)))
        (v128.store (i32.add (local.get $op) (local.get $cb))
          (f32x4.mul (local.get $w) (v128.load (i32.add (local.get $op) (local.get $cb)))))
        (local.set $cb (i32.add (local.get $cb) (i32.const 16)))
        (br $loop))))

  ;; The packed queries (see blockTile) from rows of d floats, rows a multiple of 4:
  ;; dst[(x >> 2) * 4d + 4c + (x & 3)] = src[x * d + c].
  (func (export "packQueries")
    (param $src i32) (param $rows i32) (param $d i32) (param $dst i32)
    (local $x i32) (local $c i32) (local $from i32) (local $to i32)
    (block $rowsDone
      (loop $rowsLoop
        (br_if $rowsDone (i32.ge_u (local.get $x) (local.get $rows)))
        (local.set $from (i32.add (local.get $src) (i32.shl (i32.mul (local.get $x) (local.get $d)) (i32.const 2))))
        (local.set $to (i32.add (local.get $dst) (i32.add
          (i32.shl (i32.mul (i32.shr_u (local.get $x) (i32.const 2)) (local.get $d)) (i32.const 4))
          (i32.shl (i32.and (local.get $x) (i32.const 3)) (i32.const 2)))))
        (local.set $c (i32.const 0))
        (block $featuresDone
          (loop $featuresLoop
            (br_if $featuresDone (i32.ge_u (local.get $c) (local.get $d)))
            (f32.store (local.get $to) (f32.load (local.get $from)))
            (local.set $from (i32.add (local.get $from) (i32.const 4)))
            (local.set $to (i32.add (local.get $to) (i32.const 16)))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $featuresLoop)))
        (local.set $x (i32.add (local.get $x) (i32.const 1)))
        (br $rowsLoop))))

  ;; The packed key panel (see blockTile) from rows of d floats: dst[(x >> 3) * 8d + 8c + (x & 7)]
  ;; = src[x * d + c] for x < rows, c < d.
  (func (export "packKeys")
    (param $src i32) (param $rows i32) (param $d i32) (param $dst i32)
    (local $x i32) (local $c i32) (local $from i32) (local $to i32)
    (block $rowsDone
      (loop $rowsLoop
        (br_if $rowsDone (i32.ge_u (local.get $x) (local.get $rows)))
        (local.set $from (i32.add (local.get $src) (i32.shl (i32.mul (local.get $x) (local.get $d)) (i32.const 2))))
        (local.set $to (i32.add (local.get $dst) (i32.add
          (i32.shl (i32.mul (i32.shr_u (local.get $x) (i32.const 3)) (local.get $d)) (i32.const 5))
          (i32.shl (i32.and (local.get $x) (i32.const 7)) (i32.const 2)))))
        (local.set $c (i32.const 0))
        (block $featuresDone
          (loop $featuresLoop
            (br_if $featuresDone (i32.ge_u (local.get $c) (local.get $d)))
            (f32.store (local.get $to) (f32.load (local.get $from)))
            (local.set $from (i32.add (local.get $from) (i32.const 4)))
            (local.set $to (i32.add (local.get $to) (i32.const 32)))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $featuresLoop)))
        (local.set $x (i32.add (local.get $x) (i32.const 1)))
        (br $rowsLoop))))

  ;; Row x of o (dPad floats) divided by its softmax sum (the f64 at state + (x >> 2) * 48 + 16 +
  ;; (x & 3) * 8, see blockTile), for x < rows.
  (func $normalizeRows (export "normalizeRows")
    (param $o i32) (param $state i32) (param $rows i32) (param $dPad i32)
    (local $x i32) (local $cb i32) (local $w v128) (local $end i32)
    (local.set $end (i32.shl (local.get $dPad) (i32.const 2)))
    (block $rowsDone
      (loop $rowsLoop
        (br_if $rowsDone (i32.ge_u (local.get $x) (local.get $rows)))
        (local.set $w (f32x4.splat (f32.demote_f64 (f64.div (f64.const 1)
          (f64.load offset=16 (i32.add (local.get $state) (i32.add
            (i32.mul (i32.shr_u (local.get $x) (i32.const 2)) (i32.const 48))
            (i32.shl (i32.and (local.get $x) (i32.const 3)) (i32.const 3)))))))))
        (local.set $cb (i32.const 0))
        (block $featuresDone
          (loop $featuresLoop
            (br_if $featuresDone (i32.ge_u (local.get $cb) (local.get $end)))
            (v128.store (i32.add (local.get $o) (local.get $cb))
              (f32x4.mul (local.get $w) (v128.load (i32.add (local.get $o) (local.get $cb)))))
            (local.set $cb (i32.add (local.get $cb) (i32.const 16)))
            (br $featuresLoop)))
        (local.set $o (i32.add (local.get $o) (local.get $end)))
        (local.set $x (i32.add (local.get $x) (i32.const 1)))
        (br $rowsLoop))))

  ;; blockTile over `tiles` consecutive tiles of 4 queries (the same columns for all): one call
  ;; from JS per summary chunk instead of one per tile.
  (func $blockTileRows (export "blockTileRows")
    (param $q i32) (param $d i32) (param $kt i32)
    (param $v i32) (param $dPad i32) (param $col0 i32) (param $cols i32) (param $scale f32)
    (param $s i32) (param $o i32) (param $state i32)
    (param $own0 i32) (param $ownStep i32) (param $sumLo i32) (param $gapLo i32) (param $gapHi i32) (param $sumHi i32)
    (param $masked i32) (param $tiles i32)
    (local $t i32)
    (block $tilesDone
      (loop $tilesLoop
        (br_if $tilesDone (i32.ge_u (local.get $t) (local.get $tiles)))
        (call $blockTile (local.get $q) (local.get $d) (local.get $kt)
          (local.get $v) (local.get $dPad) (local.get $col0) (local.get $cols) (local.get $scale)
          (local.get $s) (local.get $o) (local.get $state)
          (local.get $own0) (local.get $ownStep) (local.get $sumLo) (local.get $gapLo) (local.get $gapHi) (local.get $sumHi)
          (local.get $masked))
        (local.set $q (i32.add (local.get $q) (i32.shl (local.get $d) (i32.const 4))))
        (local.set $o (i32.add (local.get $o) (i32.shl (local.get $dPad) (i32.const 4))))
        (local.set $state (i32.add (local.get $state) (i32.const 48)))
        (local.set $own0 (i32.add (local.get $own0) (i32.shl (local.get $ownStep) (i32.const 2))))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $tilesLoop))))
  ;; One whole query block in one call: state reset (max -inf, sum 0) and o zeroed for `rows` (a
  ;; multiple of 4) queries; the own block's columns [0, lPad), causal tiles stopping at their last
  ;; row's diagonal; the summary columns [lPad, sumHi) in chunks of `chunk` keys, masked only where
  ;; a chunk reaches into the gap [gapLo, gapHi) or past sumHi; then the first len rows of o
  ;; normalised. q holds the rows' queries packed by packQueries, o rows x dPad floats.
  (func (export "blockQueries")
    (param $q i32) (param $d i32) (param $kt i32) (param $v i32) (param $dPad i32) (param $scale f32)
    (param $s i32) (param $o i32) (param $state i32) (param $rows i32) (param $len i32) (param $lPad i32)
    (param $causal i32) (param $gapLo i32) (param $gapHi i32) (param $sumHi i32) (param $chunk i32)
    (local $t i32) (local $x0 i32) (local $end i32) (local $own0 i32) (local $sumEnd i32) (local $p i32) (local $stop i32)
    (local.set $p (i32.const 0))
    (local.set $stop (i32.mul (local.get $rows) (i32.const 12)))
    (block $stateDone
      (loop $stateLoop
        (br_if $stateDone (i32.ge_u (local.get $p) (local.get $stop)))
        (v128.store (i32.add (local.get $state) (local.get $p)) (v128.const f32x4 -inf -inf -inf -inf))
        (v128.store offset=16 (i32.add (local.get $state) (local.get $p)) (v128.const i32x4 0 0 0 0))
        (v128.store offset=32 (i32.add (local.get $state) (local.get $p)) (v128.const i32x4 0 0 0 0))
        (local.set $p (i32.add (local.get $p) (i32.const 48)))
        (br $stateLoop)))
    (local.set $p (local.get $o))
    (local.set $stop (i32.add (local.get $o) (i32.shl (i32.mul (local.get $rows) (local.get $dPad)) (i32.const 2))))
    (block $zeroDone
      (loop $zeroLoop
        (br_if $zeroDone (i32.ge_u (local.get $p) (local.get $stop)))
        (v128.store (local.get $p) (v128.const i32x4 0 0 0 0))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $zeroLoop)))
    ;; the own block
    (local.set $x0 (i32.const 0))
    (block $ownDone
      (loop $ownLoop
        (br_if $ownDone (i32.ge_u (local.get $x0) (local.get $lPad)))
        (local.set $t (i32.const 0))
        (block $tilesDone
          (loop $tilesLoop
            (br_if $tilesDone (i32.ge_u (local.get $t) (local.get $rows)))
            (local.set $own0 (select (i32.add (local.get $t) (i32.const 1)) (local.get $len) (local.get $causal)))
            (local.set $end (i32.add (local.get $x0) (local.get $chunk)))
            (if (i32.lt_u (local.get $lPad) (local.get $end)) (then (local.set $end (local.get $lPad))))
            (if (local.get $causal)
              (then
                (local.set $stop (i32.and (i32.add (local.get $t) (i32.const 11)) (i32.const -8)))
                (if (i32.lt_u (local.get $stop) (local.get $end)) (then (local.set $end (local.get $stop))))))
            (if (i32.gt_u (local.get $end) (local.get $x0))
              (then
                (call $blockTile
                  (i32.add (local.get $q) (i32.shl (i32.mul (local.get $t) (local.get $d)) (i32.const 2)))
                  (local.get $d) (local.get $kt) (local.get $v) (local.get $dPad) (local.get $x0)
                  (i32.sub (local.get $end) (local.get $x0)) (local.get $scale) (local.get $s)
                  (i32.add (local.get $o) (i32.shl (i32.mul (local.get $t) (local.get $dPad)) (i32.const 2)))
                  (i32.add (local.get $state) (i32.mul (local.get $t) (i32.const 12)))
                  (local.get $own0) (local.get $causal) (local.get $lPad) (local.get $gapLo) (local.get $gapHi) (local.get $sumHi)
                  (i32.gt_u (local.get $end) (local.get $own0)))))
            (local.set $t (i32.add (local.get $t) (i32.const 4)))
            (br $tilesLoop)))
        (local.set $x0 (i32.add (local.get $x0) (local.get $chunk)))
        (br $ownLoop)))
    ;; the summaries
    (local.set $sumEnd (i32.add (local.get $lPad)
      (i32.and (i32.add (i32.sub (local.get $sumHi) (local.get $lPad)) (i32.const 7)) (i32.const -8))))
    (local.set $x0 (local.get $lPad))
    (block $summariesDone
      (loop $summariesLoop
        (br_if $summariesDone (i32.ge_u (local.get $x0) (local.get $sumEnd)))
        (local.set $end (i32.add (local.get $x0) (local.get $chunk)))
        (if (i32.lt_u (local.get $sumEnd) (local.get $end)) (then (local.set $end (local.get $sumEnd))))
        (call $blockTileRows (local.get $q) (local.get $d) (local.get $kt) (local.get $v) (local.get $dPad)
          (local.get $x0) (i32.sub (local.get $end) (local.get $x0)) (local.get $scale) (local.get $s)
          (local.get $o) (local.get $state) (i32.const 0) (local.get $causal) (local.get $lPad)
          (local.get $gapLo) (local.get $gapHi) (local.get $sumHi)
          ;; masked unless wholly inside [lPad, gapLo) or [gapHi, sumHi)
          (i32.eqz (i32.or
            (i32.le_u (local.get $end) (local.get $gapLo))
            (i32.and (i32.ge_u (local.get $x0) (local.get $gapHi)) (i32.le_u (local.get $end) (local.get $sumHi)))))
          (i32.shr_u (local.get $rows) (i32.const 2)))
        (local.set $x0 (local.get $end))
        (br $summariesLoop)))
    (call $normalizeRows (local.get $o) (local.get $state) (local.get $len) (local.get $dPad)))
)
