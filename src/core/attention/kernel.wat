;; SIMD inner loops of the CPU attention path (f32x4); pointers are byte offsets. The row-run
;; functions (scores .. scale; JS drives rows, ranges and exp(), d a multiple of 4) compute scores
;; of one or two queries against runs of keys and the weighted sums of the matching value rows.
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

  ;; One tile: queries q[0..4) (rows of d floats) against panel columns [col0, col0 + cols), cols a
  ;; multiple of 8. kt is the key panel packed by 8 columns (packKeys: the d x 8 transposed keys of
  ;; columns 8p..8p+8 lie contiguous at kt + 8p * d * 4, so the scores stream them); v the value panel (a row of dPad floats per key, dPad a multiple of 8). Steps:
  ;; 1. scores into s (4 rows of cols floats) in a 4 x 8 register tile over d;
  ;; 2. scaled, masked (when `masked`: row r may use columns below own0 + r*ownStep, in
  ;;    [sumLo, gapLo) and in [gapHi, sumHi)), and folded into each row's running max and sum
  ;;    (state: per row f32 max at +0, f64 sum at +8), rescaling o's row when the max grows; s
  ;;    then holds the weights;
  ;; 3. o (4 rows of dPad floats) += weights x v in a 4 x 8 register tile over the keys.
  (func $blockTile (export "blockTile")
    (param $q i32) (param $d i32) (param $kt i32)
    (param $v i32) (param $dPad i32) (param $col0 i32) (param $cols i32) (param $scale f32)
    (param $s i32) (param $o i32) (param $state i32)
    (param $own0 i32) (param $ownStep i32) (param $sumLo i32) (param $gapLo i32) (param $gapHi i32) (param $sumHi i32)
    (param $masked i32)
    (local $j i32) (local $cb i32) (local $kp i32) (local $sp i32) (local $r i32)
    (local $dBytes i32) (local $colsBytes i32) (local $oStride i32) (local $end i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $a4 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128)
    (local $k0 v128) (local $k1 v128) (local $w v128) (local $idx v128) (local $valid v128)
    (local $mOld f32) (local $mNew f32) (local $alpha f32) (local $st i32) (local $op i32)
    (local $ex v128) (local $en v128) (local $er v128) (local $ep v128)
    (local.set $dBytes (i32.shl (local.get $d) (i32.const 2)))
    (local.set $colsBytes (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $oStride (i32.shl (local.get $dPad) (i32.const 2)))

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
        (local.set $cb (i32.const 0))
        (block $featuresDone
          (loop $featuresLoop
            (br_if $featuresDone (i32.ge_u (local.get $cb) (local.get $dBytes)))
            (local.set $k0 (v128.load (local.get $kp)))
            (local.set $k1 (v128.load offset=16 (local.get $kp)))
            (local.set $sp (i32.add (local.get $q) (local.get $cb)))
            (local.set $w (v128.load32_splat (local.get $sp)))
            (local.set $a0 (f32x4.relaxed_madd (local.get $w) (local.get $k0) (local.get $a0)))
            (local.set $a1 (f32x4.relaxed_madd (local.get $w) (local.get $k1) (local.get $a1)))
            (local.set $sp (i32.add (local.get $sp) (local.get $dBytes)))
            (local.set $w (v128.load32_splat (local.get $sp)))
            (local.set $a2 (f32x4.relaxed_madd (local.get $w) (local.get $k0) (local.get $a2)))
            (local.set $a3 (f32x4.relaxed_madd (local.get $w) (local.get $k1) (local.get $a3)))
            (local.set $sp (i32.add (local.get $sp) (local.get $dBytes)))
            (local.set $w (v128.load32_splat (local.get $sp)))
            (local.set $a4 (f32x4.relaxed_madd (local.get $w) (local.get $k0) (local.get $a4)))
            (local.set $a5 (f32x4.relaxed_madd (local.get $w) (local.get $k1) (local.get $a5)))
            (local.set $sp (i32.add (local.get $sp) (local.get $dBytes)))
            (local.set $w (v128.load32_splat (local.get $sp)))
            (local.set $a6 (f32x4.relaxed_madd (local.get $w) (local.get $k0) (local.get $a6)))
            (local.set $a7 (f32x4.relaxed_madd (local.get $w) (local.get $k1) (local.get $a7)))
            (local.set $kp (i32.add (local.get $kp) (i32.const 32)))
            (local.set $cb (i32.add (local.get $cb) (i32.const 4)))
            (br $featuresLoop)))
        (local.set $sp (i32.add (local.get $s) (i32.shl (local.get $j) (i32.const 2))))
        (v128.store (local.get $sp) (local.get $a0))
        (v128.store offset=16 (local.get $sp) (local.get $a1))
        (local.set $sp (i32.add (local.get $sp) (local.get $colsBytes)))
        (v128.store (local.get $sp) (local.get $a2))
        (v128.store offset=16 (local.get $sp) (local.get $a3))
        (local.set $sp (i32.add (local.get $sp) (local.get $colsBytes)))
        (v128.store (local.get $sp) (local.get $a4))
        (v128.store offset=16 (local.get $sp) (local.get $a5))
        (local.set $sp (i32.add (local.get $sp) (local.get $colsBytes)))
        (v128.store (local.get $sp) (local.get $a6))
        (v128.store offset=16 (local.get $sp) (local.get $a7))
        (local.set $j (i32.add (local.get $j) (i32.const 8)))
        (br $scoresLoop)))

    ;; 2. online softmax, row by row
    (local.set $r (i32.const 0))
    (block $rowsDone
      (loop $rowsLoop
        (br_if $rowsDone (i32.ge_u (local.get $r) (i32.const 4)))
        (local.set $sp (i32.add (local.get $s) (i32.mul (local.get $r) (local.get $colsBytes))))
        (local.set $end (i32.add (local.get $own0) (i32.mul (local.get $r) (local.get $ownStep))))
        (local.set $a0 (v128.const f32x4 -inf -inf -inf -inf))
        (local.set $cb (i32.const 0))
        (block $maxDone
          (loop $maxLoop
            (br_if $maxDone (i32.ge_u (local.get $cb) (local.get $colsBytes)))
            (local.set $w (f32x4.mul (v128.load (i32.add (local.get $sp) (local.get $cb))) (f32x4.splat (local.get $scale))))
            (if (local.get $masked)
              (then
                (local.set $idx (i32x4.add
                  (i32x4.splat (i32.add (local.get $col0) (i32.shr_u (local.get $cb) (i32.const 2))))
                  (v128.const i32x4 0 1 2 3)))
                (local.set $valid (v128.or
                  (i32x4.lt_s (local.get $idx) (i32x4.splat (local.get $end)))
                  (v128.or
                    (v128.and (i32x4.ge_s (local.get $idx) (i32x4.splat (local.get $sumLo)))
                              (i32x4.lt_s (local.get $idx) (i32x4.splat (local.get $gapLo))))
                    (v128.and (i32x4.ge_s (local.get $idx) (i32x4.splat (local.get $gapHi)))
                              (i32x4.lt_s (local.get $idx) (i32x4.splat (local.get $sumHi)))))))
                (local.set $w (v128.bitselect (local.get $w) (v128.const f32x4 -inf -inf -inf -inf) (local.get $valid)))))
            (v128.store (i32.add (local.get $sp) (local.get $cb)) (local.get $w))
            (local.set $a0 (f32x4.max (local.get $a0) (local.get $w)))
            (local.set $cb (i32.add (local.get $cb) (i32.const 16)))
            (br $maxLoop)))
        (local.set $st (i32.add (local.get $state) (i32.shl (local.get $r) (i32.const 4))))
        (local.set $mOld (f32.load (local.get $st)))
        (local.set $mNew (f32.max (local.get $mOld)
          (f32.max (f32.max (f32x4.extract_lane 0 (local.get $a0)) (f32x4.extract_lane 1 (local.get $a0)))
                   (f32.max (f32x4.extract_lane 2 (local.get $a0)) (f32x4.extract_lane 3 (local.get $a0))))))
        (if (f32.eq (local.get $mNew) (f32.const -inf))
          (then
            ;; nothing allowed yet: zero weights, state unchanged
            (local.set $cb (i32.const 0))
            (block $zeroDone
              (loop $zeroLoop
                (br_if $zeroDone (i32.ge_u (local.get $cb) (local.get $colsBytes)))
                (v128.store (i32.add (local.get $sp) (local.get $cb)) (v128.const i32x4 0 0 0 0))
                (local.set $cb (i32.add (local.get $cb) (i32.const 16)))
                (br $zeroLoop))))
          (else
            (local.set $alpha (f32x4.extract_lane 0
              (call $exp (f32x4.splat (f32.sub (local.get $mOld) (local.get $mNew))))))
            (local.set $k0 (f32x4.splat (local.get $mNew)))
            (local.set $a1 (v128.const i32x4 0 0 0 0))
            (local.set $cb (i32.const 0))
            (block $expDone
              (loop $expLoop
                (br_if $expDone (i32.ge_u (local.get $cb) (local.get $colsBytes)))
                ;; $exp inlined (V8 does not inline WebAssembly calls here)
                (local.set $ex (f32x4.sub (v128.load (i32.add (local.get $sp) (local.get $cb))) (local.get $k0)))
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
                (v128.store (i32.add (local.get $sp) (local.get $cb)) (local.get $w))
                (local.set $a1 (f32x4.add (local.get $a1) (local.get $w)))
                (local.set $cb (i32.add (local.get $cb) (i32.const 16)))
                (br $expLoop)))
            (f32.store (local.get $st) (local.get $mNew))
            (f64.store offset=8 (local.get $st)
              (f64.add
                (f64.mul (f64.load offset=8 (local.get $st)) (f64.promote_f32 (local.get $alpha)))
                (f64.promote_f32
                  (f32.add
                    (f32.add (f32x4.extract_lane 0 (local.get $a1)) (f32x4.extract_lane 1 (local.get $a1)))
                    (f32.add (f32x4.extract_lane 2 (local.get $a1)) (f32x4.extract_lane 3 (local.get $a1)))))))
            (if (f32.ne (local.get $alpha) (f32.const 1))
              (then
                (local.set $w (f32x4.splat (local.get $alpha)))
                (local.set $op (i32.add (local.get $o) (i32.mul (local.get $r) (local.get $oStride))))
                (local.set $cb (i32.const 0))
                (block $rescaleDone
                  (loop $rescaleLoop
                    (br_if $rescaleDone (i32.ge_u (local.get $cb) (local.get $oStride)))
                    (v128.store (i32.add (local.get $op) (local.get $cb))
                      (f32x4.mul (local.get $w) (v128.load (i32.add (local.get $op) (local.get $cb)))))
                    (local.set $cb (i32.add (local.get $cb) (i32.const 16)))
                    (br $rescaleLoop)))))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rowsLoop)))

    ;; 3. o += weights x v, 8 output features at a time
    (local.set $cb (i32.const 0))
    (block $outDone
      (loop $outLoop
        (br_if $outDone (i32.ge_u (local.get $cb) (local.get $oStride)))
        (local.set $op (i32.add (local.get $o) (local.get $cb)))
        (local.set $a0 (v128.load (local.get $op)))
        (local.set $a1 (v128.load offset=16 (local.get $op)))
        (local.set $a2 (v128.load (i32.add (local.get $op) (local.get $oStride))))
        (local.set $a3 (v128.load offset=16 (i32.add (local.get $op) (local.get $oStride))))
        (local.set $a4 (v128.load (i32.add (local.get $op) (i32.shl (local.get $oStride) (i32.const 1)))))
        (local.set $a5 (v128.load offset=16 (i32.add (local.get $op) (i32.shl (local.get $oStride) (i32.const 1)))))
        (local.set $a6 (v128.load (i32.add (local.get $op) (i32.mul (local.get $oStride) (i32.const 3)))))
        (local.set $a7 (v128.load offset=16 (i32.add (local.get $op) (i32.mul (local.get $oStride) (i32.const 3)))))
        (local.set $kp (i32.add (i32.add (local.get $v) (i32.mul (local.get $col0) (local.get $oStride))) (local.get $cb)))
        (local.set $j (i32.const 0))
        (block $keysDone
          (loop $keysLoop
            (br_if $keysDone (i32.ge_u (local.get $j) (local.get $colsBytes)))
            (local.set $k0 (v128.load (local.get $kp)))
            (local.set $k1 (v128.load offset=16 (local.get $kp)))
            (local.set $sp (i32.add (local.get $s) (local.get $j)))
            (local.set $w (v128.load32_splat (local.get $sp)))
            (local.set $a0 (f32x4.relaxed_madd (local.get $w) (local.get $k0) (local.get $a0)))
            (local.set $a1 (f32x4.relaxed_madd (local.get $w) (local.get $k1) (local.get $a1)))
            (local.set $sp (i32.add (local.get $sp) (local.get $colsBytes)))
            (local.set $w (v128.load32_splat (local.get $sp)))
            (local.set $a2 (f32x4.relaxed_madd (local.get $w) (local.get $k0) (local.get $a2)))
            (local.set $a3 (f32x4.relaxed_madd (local.get $w) (local.get $k1) (local.get $a3)))
            (local.set $sp (i32.add (local.get $sp) (local.get $colsBytes)))
            (local.set $w (v128.load32_splat (local.get $sp)))
            (local.set $a4 (f32x4.relaxed_madd (local.get $w) (local.get $k0) (local.get $a4)))
            (local.set $a5 (f32x4.relaxed_madd (local.get $w) (local.get $k1) (local.get $a5)))
            (local.set $sp (i32.add (local.get $sp) (local.get $colsBytes)))
            (local.set $w (v128.load32_splat (local.get $sp)))
            (local.set $a6 (f32x4.relaxed_madd (local.get $w) (local.get $k0) (local.get $a6)))
            (local.set $a7 (f32x4.relaxed_madd (local.get $w) (local.get $k1) (local.get $a7)))
            (local.set $kp (i32.add (local.get $kp) (local.get $oStride)))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $keysLoop)))
        (v128.store (local.get $op) (local.get $a0))
        (v128.store offset=16 (local.get $op) (local.get $a1))
        (v128.store (i32.add (local.get $op) (local.get $oStride)) (local.get $a2))
        (v128.store offset=16 (i32.add (local.get $op) (local.get $oStride)) (local.get $a3))
        (v128.store (i32.add (local.get $op) (i32.shl (local.get $oStride) (i32.const 1))) (local.get $a4))
        (v128.store offset=16 (i32.add (local.get $op) (i32.shl (local.get $oStride) (i32.const 1))) (local.get $a5))
        (v128.store (i32.add (local.get $op) (i32.mul (local.get $oStride) (i32.const 3))) (local.get $a6))
        (v128.store offset=16 (i32.add (local.get $op) (i32.mul (local.get $oStride) (i32.const 3))) (local.get $a7))
        (local.set $cb (i32.add (local.get $cb) (i32.const 32)))
        (br $outLoop))))

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

  ;; Row x of o (dPad floats) divided by its softmax sum (state: f64 at x * 16 + 8), for x < rows.
  (func $normalizeRows (export "normalizeRows")
    (param $o i32) (param $state i32) (param $rows i32) (param $dPad i32)
    (local $x i32) (local $cb i32) (local $w v128) (local $end i32)
    (local.set $end (i32.shl (local.get $dPad) (i32.const 2)))
    (block $rowsDone
      (loop $rowsLoop
        (br_if $rowsDone (i32.ge_u (local.get $x) (local.get $rows)))
        (local.set $w (f32x4.splat (f32.demote_f64 (f64.div (f64.const 1) (f64.load offset=8 (local.get $state))))))
        (local.set $cb (i32.const 0))
        (block $featuresDone
          (loop $featuresLoop
            (br_if $featuresDone (i32.ge_u (local.get $cb) (local.get $end)))
            (v128.store (i32.add (local.get $o) (local.get $cb))
              (f32x4.mul (local.get $w) (v128.load (i32.add (local.get $o) (local.get $cb)))))
            (local.set $cb (i32.add (local.get $cb) (i32.const 16)))
            (br $featuresLoop)))
        (local.set $o (i32.add (local.get $o) (local.get $end)))
        (local.set $state (i32.add (local.get $state) (i32.const 16)))
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
        (local.set $state (i32.add (local.get $state) (i32.const 64)))
        (local.set $own0 (i32.add (local.get $own0) (i32.shl (local.get $ownStep) (i32.const 2))))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $tilesLoop))))
;; One whole query block in one call: state reset (max -inf, sum 0) and o zeroed for `rows` (a
  ;; multiple of 4) queries; the own block's columns [0, lPad), causal tiles stopping at their last
  ;; row's diagonal; the summary columns [lPad, sumHi) in chunks of `chunk` keys, masked only where
  ;; a chunk reaches into the gap [gapLo, gapHi) or past sumHi; then the first len rows of o
  ;; normalised. q holds rows x d floats, o rows x dPad.
  (func (export "blockQueries")
    (param $q i32) (param $d i32) (param $kt i32) (param $v i32) (param $dPad i32) (param $scale f32)
    (param $s i32) (param $o i32) (param $state i32) (param $rows i32) (param $len i32) (param $lPad i32)
    (param $causal i32) (param $gapLo i32) (param $gapHi i32) (param $sumHi i32) (param $chunk i32)
    (local $t i32) (local $x0 i32) (local $end i32) (local $own0 i32) (local $sumEnd i32) (local $p i32) (local $stop i32)
    (local.set $p (i32.const 0))
    (local.set $stop (i32.shl (local.get $rows) (i32.const 4)))
    (block $stateDone
      (loop $stateLoop
        (br_if $stateDone (i32.ge_u (local.get $p) (local.get $stop)))
        (f32.store (i32.add (local.get $state) (local.get $p)) (f32.const -inf))
        (f64.store offset=8 (i32.add (local.get $state) (local.get $p)) (f64.const 0))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
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
                  (i32.add (local.get $state) (i32.shl (local.get $t) (i32.const 4)))
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
