/**
 * `sparse-attn check` as users run it: the production CLI bundle spawned on examples/, on a clean
 * file, with --json, on folders to walk, and on paths that do not exist.
 */
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { productionCli } from '../support/productionCli';
import { pythonWith } from '../support/python';

const ROOT = resolve(__dirname, '../..');

async function check(args: string[], cwd = ROOT): Promise<{ code: number | null; out: string[]; err: string }> {
  const r = spawnSync(process.execPath, [await productionCli(), 'check', ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, out: r.stdout.split('\n').filter(Boolean), err: r.stderr };
}

/** The line format VS Code's problem matchers read: file, line, column (1-based), severity, message. */
const PROBLEM = /^(.+):(\d+):(\d+) error: (.+)$/;

describe('sparse-attn check', () => {
  it('examples/: every config with its preset, values and density, the planted errors on their argument, exit 1', async () => {
    const r = await check(['examples']);
    assert.equal(r.code, 1, r.err);
    assert.equal(r.err, '');
    const errors = r.out.filter((l) => PROBLEM.test(l));
    assert.deepEqual(errors, [
      'examples/deepspeed_uneven_globals.py:13:5 error: Number of blocks in a local window, 4, must be dividable by number of global blocks, 3!',
      'examples/summary_too_long.py:20:66 error: c (40) must be <= l (32)',
    ]);
    // The planted c > l: line 20, column 66 is where `summary=40` starts.
    const line = readFileSync(join(ROOT, 'examples/summary_too_long.py'), 'utf8').split('\n')[19];
    assert.equal(line.slice(65, 75), 'summary=40');
    assert.ok(r.out.includes('examples/sparse_model.py:17:10 fixed n=256 stride=32 c=4 heads=4 subblocks=4 mode=merged layer=0 bidirectional=false density 23.74%'), r.out.join('\n'));
    assert.ok(r.out.includes('examples/fairseq_sparse_layer.py:9:26 fairseq-fixed n=? stride=64 c=16 heads=8 bidirectional=false density ?'), r.out.join('\n'));
    assert.ok(r.out.some((l) => l.startsWith('examples/ds_config.json:4:23 deepspeed-fixed n=? heads=? block=16 ')), r.out.join('\n'));
    assert.ok(r.out.some((l) => l.startsWith('examples/openai_fixed_attention.py:10:12 openai-fixed ')), r.out.join('\n'));
    assert.equal(r.out[r.out.length - 1], 'checked 8 files: 8 configs, 2 invalid');
  });

  it('the DeepSpeed example is one DeepSpeed itself refuses, with the message check prints', async function () {
    const python = pythonWith('torch');
    if (!python) this.skip();
    const [finding] = JSON.parse((await check(['examples/deepspeed_uneven_globals.py', '--json'])).out.join('\n'));
    const c = finding.config;
    const kwargs = { num_heads: c.heads, block: c.block, num_local_blocks: c.numLocalBlocks, num_global_blocks: c.numGlobalBlocks, attention: c.attention };
    const script = [
      'import json, sys',
      "sys.path.insert(0, 'test/peers/deepspeed')",
      'from sparsity_config import FixedSparsityConfig',
      'try:',
      `    FixedSparsityConfig(**json.loads(${JSON.stringify(JSON.stringify(kwargs))}))`,
      "    print('accepted')",
      'except ValueError as e:',
      '    print(e)',
    ].join('\n');
    const out = spawnSync(python!, ['-c', script], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(out.stdout.trim(), finding.issues[0].message, out.stderr);
  });

  it('a clean file exits 0', async () => {
    const r = await check(['examples/sparse_model.py']);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out.length, 2);
    assert.equal(r.out[1], 'checked 1 file: 1 config, 0 invalid');
  });

  it('--json gives each finding: path, range, preset, resolved config, found, unresolved, issues, density', async () => {
    const r = await check(['examples/summary_too_long.py', 'examples/sparse_model.py', '--json']);
    assert.equal(r.code, 1);
    const findings = JSON.parse(r.out.join('\n'));
    assert.equal(findings.length, 2);
    const [wrong, right] = findings;
    assert.deepEqual(Object.keys(wrong).sort(), ['config', 'density', 'found', 'issues', 'path', 'preset', 'range', 'source', 'unresolved']);
    assert.equal(wrong.path, 'examples/summary_too_long.py');
    assert.deepEqual(wrong.range, { start: { line: 19, character: 15 }, end: { line: 19, character: 89 } });
    assert.deepEqual(wrong.issues, [{ key: 'c', message: 'c (40) must be <= l (32)', range: { start: { line: 19, character: 65 }, end: { line: 19, character: 75 } } }]);
    assert.deepEqual(wrong.density, { value: null, reason: 'invalid config' });
    assert.equal(right.preset, 'fixed');
    assert.deepEqual(right.unresolved, []);
    assert.equal(right.density.against, 'causal');
    assert.ok(Math.abs(right.density.value - 0.2374) < 5e-5);
  });

  it('walks folders for *.py and ds_config*.json, skipping node_modules, .git and hidden folders', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sparse-attn-check-'));
    const wrong = 'cfg = SparseConfig(n=64, stride=8, c=9, heads=2)\n';
    for (const skipped of ['node_modules', '.git', '.venv']) {
      mkdirSync(join(dir, skipped));
      writeFileSync(join(dir, skipped, 'model.py'), wrong);
    }
    mkdirSync(join(dir, 'models'));
    // Saved with a byte-order mark: columns still count from the first character editors show.
    writeFileSync(join(dir, 'models', 'layer.py'), '\uFEFFcfg = SparseConfig(n=64, stride=8, c=2, heads=2)\n');
    writeFileSync(join(dir, 'ds_config_train.json'), '{"sparse_attention": {"mode": "dense", "block": 8}}');
    writeFileSync(join(dir, 'settings.json'), '{"sparse_attention": {"block": 3, "num_local_blocks": 4, "num_global_blocks": 3}}');
    writeFileSync(join(dir, 'notes.txt'), wrong);
    const r = await check(['.'], dir);
    assert.equal(r.code, 0, r.out.join('\n'));
    assert.deepEqual(r.out.map((l) => l.split(' ')[0]), ['ds_config_train.json:1:22', 'models/layer.py:1:7', 'checked']);
    assert.equal(r.out[2], 'checked 2 files: 2 configs, 0 invalid');
    // Named explicitly, any .json is read as a DeepSpeed config.
    const named = await check(['settings.json'], dir);
    assert.equal(named.code, 1);
    assert.ok(named.out.includes('settings.json:1:58 error: Number of blocks in a local window, 4, must be dividable by number of global blocks, 3!'), named.out.join('\n'));
  });

  it('a missing path, a file of another kind, no path or an unknown flag: one line on stderr, exit 2', async () => {
    for (const [args, message] of [
      [['examples', 'nothere.py'], 'sparse-attn check: no such file or folder: nothere.py'],
      [['README.md'], 'sparse-attn check: README.md is neither a .py nor a .json file; check takes FILES_OR_FOLDERS... [--json]'],
      [[], 'sparse-attn check: no file or folder given; check takes FILES_OR_FOLDERS... [--json] (e.g. sparse-attn check src/ ds_config.json)'],
      [['examples', '--fix'], 'sparse-attn check: unknown flag --fix; check takes FILES_OR_FOLDERS... [--json]'],
    ] as const) {
      const r = await check([...args]);
      assert.equal(r.code, 2, args.join(' '));
      assert.deepEqual(r.out, []);
      assert.equal(r.err, `${message}\n`);
    }
  });
});
