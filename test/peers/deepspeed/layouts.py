"""DeepSpeed's own layouts for configs given as JSON lines on stdin (one JSON line out per config).

Each input: {"class": "Fixed" | "Variable" | "BSLongformer" | "Dense", "seq_len": n, "kwargs": {...}}.
Each output: {"layout": [[[0/1...]]]} (heads x blocks x blocks) or {"error": "ExceptionType: message"}.
Run with a Python that has torch (Debian's /usr/bin/python3).
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sparsity_config as ds  # noqa: E402

CLASSES = {
    'Fixed': ds.FixedSparsityConfig,
    'Variable': ds.VariableSparsityConfig,
    'BSLongformer': ds.BSLongformerSparsityConfig,
    'Dense': ds.DenseSparsityConfig,
}

for line in sys.stdin:
    case = json.loads(line)
    try:
        config = CLASSES[case['class']](**case['kwargs'])
        layout = config.make_layout(case['seq_len'])
        out = {'layout': layout.tolist()}
    except Exception as e:  # the peer's refusal is the expected answer for some cases
        out = {'error': f'{type(e).__name__}: {e}'}
    print(json.dumps(out), flush=True)
