;; SIMD inner loops of the CPU attention path (f32x4). JS drives rows, ranges and exp();
;; these functions do the d-wide work: scores of one or two queries against runs of keys, and the
;; weighted sums of the matching value rows. d must be a multiple of 4; pointers are byte offsets.
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
)
