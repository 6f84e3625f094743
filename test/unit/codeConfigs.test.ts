/**
 * Configs found in Python source and DeepSpeed JSON (src/code): every call shape the peers use,
 * code that must not match, name resolution, exact ranges, and issues on the argument at fault.
 */
import { strict as assert } from 'assert';
import { readFileSync } from 'fs';
import { join } from 'path';
import { parser } from '@lezer/python';
import { patternSpec, validateConfig } from '../../src/core';
import { ConfigFinding, findConfigsInJson, findConfigsInPython, findingDensity, SourceRange } from '../../src/code';
import type { SyntaxNode } from '@lezer/common';
import { CALL_SHAPES } from '../../src/code/callShapes';
import { commaGroups } from '../../src/code/pythonScopes';
import { evaluate } from '../../src/code/pythonValues';

const ROOT = join(__dirname, '../..');

/** The range of the k-th occurrence of `needle` in `text`, counted by hand (not by the module's LineIndex). */
function rangeOf(text: string, needle: string, occurrence = 0): SourceRange {
  let from = -1;
  for (let k = 0; k <= occurrence; k++) {
    from = text.indexOf(needle, from + 1);
    assert.ok(from >= 0, `"${needle}" #${occurrence} not in the text`);
  }
  const position = (offset: number) => {
    const before = text.slice(0, offset).split('\n');
    return { line: before.length - 1, character: before[before.length - 1].length };
  };
  return { start: position(from), end: position(from + needle.length) };
}

function only(text: string): ConfigFinding {
  const findings = findConfigsInPython(text);
  assert.equal(findings.length, 1, JSON.stringify(findings.map((f) => f.source)));
  return findings[0];
}

const config = (finding: ConfigFinding) => finding.config as unknown as Record<string, unknown>;

describe('configs in Python source', () => {
  it('DeepSpeed keywords: values, the whole call as range, each value and its argument placed exactly', () => {
    const text = [
      'from deepspeed.ops.sparse_attention import FixedSparsityConfig',
      '',
      'cfg = FixedSparsityConfig(num_heads=8, block=32,',
      '                          num_local_blocks=4, attention="unidirectional")',
    ].join('\n');
    const f = only(text);
    assert.equal(f.preset, 'deepspeed-fixed');
    assert.equal(f.source, 'FixedSparsityConfig(...)');
    assert.deepEqual(f.range, { start: { line: 2, character: 6 }, end: { line: 3, character: 73 } });
    assert.deepEqual(f.range, rangeOf(text, text.slice(text.indexOf('FixedSparsityConfig(num'))));
    assert.equal(config(f).heads, 8);
    assert.equal(config(f).block, 32);
    assert.equal(config(f).attention, 'unidirectional');
    assert.equal(config(f).numGlobalBlocks, 1, "DeepSpeed's default");
    assert.deepEqual(f.found.block, { value: 32, range: { start: { line: 2, character: 45 }, end: { line: 2, character: 47 } }, argument: rangeOf(text, 'block=32') });
    assert.deepEqual(f.found.attention.argument, rangeOf(text, 'attention="unidirectional"'));
    // n is make_layout's seq_len, never the config's: unknown, and the config still offered.
    assert.deepEqual(f.unresolved, ['n']);
    assert.deepEqual(f.issues, []);
  });

  it('positional arguments follow the real __init__ order', () => {
    const text = 'layout = VariableSparsityConfig(4, 16, False, 0, [2, 4], [0], None, "unidirectional")';
    const f = only(text);
    assert.equal(f.preset, 'deepspeed-variable');
    assert.deepEqual(
      { heads: config(f).heads, block: config(f).block, windows: config(f).localWindowBlocks, ends: config(f).globalBlockEndIndices, attention: config(f).attention },
      { heads: 4, block: 16, windows: [2, 4], ends: [], attention: 'unidirectional' },
    );
    assert.deepEqual(f.found.localWindowBlocks.argument, rangeOf(text, '[2, 4]'));
    assert.deepEqual(f.found.globalBlockEndIndices.value, [], 'None is the empty list');
  });

  it("the signatures' positional order and defaults equal the vendored DeepSpeed __init__s", () => {
    const source = readFileSync(join(ROOT, 'test/peers/deepspeed/sparsity_config.py'), 'utf8');
    const tree = parser.parse(source);
    const inits = new Map<string, { names: string[]; defaults: Record<string, unknown> }>();
    let className = '';
    const text = (node: SyntaxNode) => source.slice(node.from, node.to);
    tree.iterate({
      enter(ref) {
        if (ref.name === 'ClassDefinition') className = text(ref.node.getChild('VariableName')!);
        if (ref.name === 'FunctionDefinition' && text(ref.node.getChild('VariableName')!) === '__init__') {
          const signature = { names: [] as string[], defaults: {} as Record<string, unknown> };
          for (const group of commaGroups(ref.node.getChild('ParamList')!)) {
            const name = text(group[0]);
            if (name === 'self') continue;
            signature.names.push(name);
            // The peer's defaults, read as literals; None is left to the preset.
            const value = group[2] && evaluate({ text: source }, group[2], undefined)?.value;
            if (group[2] && value !== null) signature.defaults[name] = value;
          }
          inits.set(className, signature);
        }
      },
    });
    for (const name of ['FixedSparsityConfig', 'VariableSparsityConfig', 'BSLongformerSparsityConfig', 'DenseSparsityConfig']) {
      assert.deepEqual(CALL_SHAPES[name].signature.names, inits.get(name)!.names, name);
      assert.deepEqual(CALL_SHAPES[name].signature.defaults, inits.get(name)!.defaults, name);
    }
  });

  it('a default argument: sparsity_config=FixedSparsityConfig(num_heads=4)', () => {
    const text = 'class Layer:\n    def __init__(self, hidden=768, sparsity_config=FixedSparsityConfig(num_heads=4)):\n        self.cfg = sparsity_config\n';
    const f = only(text);
    assert.deepEqual(f.range, rangeOf(text, 'FixedSparsityConfig(num_heads=4)'));
    assert.equal(config(f).heads, 4);
    assert.equal(config(f).block, 16);
  });

  it('**kwargs from a dict literal, inline **{...} and dict(...): the issue sits on the entry at fault', () => {
    const text = [
      'BASE = dict(block=16, num_local_blocks=6)',
      'ds_kwargs = {"num_heads": 8, **BASE, "num_global_blocks": 4}',
      'cfg = FixedSparsityConfig(**ds_kwargs)',
      'other = FixedSparsityConfig(num_heads=2, **{"block": 64})',
    ].join('\n');
    const [first, second] = findConfigsInPython(text);
    assert.deepEqual([config(first).heads, config(first).block, config(first).numLocalBlocks, config(first).numGlobalBlocks], [8, 16, 6, 4]);
    assert.deepEqual(first.issues, [
      { key: 'numGlobalBlocks', message: 'Number of blocks in a local window, 6, must be dividable by number of global blocks, 4!', range: rangeOf(text, '"num_global_blocks": 4') },
    ]);
    assert.deepEqual(first.found.block.argument, rangeOf(text, 'block=16'));
    assert.equal(config(second).block, 64);
  });

  it('**kwargs that cannot be read leave every parameter the call could set unknown, and no rule judged on them', () => {
    const f = only('def make(**kwargs):\n    return FixedSparsityConfig(num_heads=4, num_global_blocks=3, **kwargs)\n');
    assert.deepEqual([...f.unresolved].sort(), ['attention', 'block', 'differentLayoutPerHead', 'horizontalGlobalAttention', 'n', 'numDifferentGlobalPatterns', 'numLocalBlocks'].sort());
    assert.deepEqual(f.issues, [], 'num_local_blocks may well be 6');
  });

  it('a "sparse_attention" dict literal in .py (True, None, mode variable) and the ds_config JSON', () => {
    const text = [
      'ds_config = {',
      '    "train_batch_size": 16,',
      '    "sparse_attention": {"mode": "variable", "block": 32, "local_window_blocks": [4, 8], "global_block_end_indices": None, "different_layout_per_head": True},',
      '}',
    ].join('\n');
    const f = only(text);
    assert.equal(f.preset, 'deepspeed-variable');
    assert.equal(f.source, 'ds_config sparse_attention');
    assert.deepEqual(f.range, { start: rangeOf(text, '{"mode"').start, end: rangeOf(text, 'True}').end });
    assert.deepEqual([config(f).block, config(f).localWindowBlocks, config(f).differentLayoutPerHead], [32, [4, 8], true]);
    assert.deepEqual([...f.unresolved].sort(), ['heads', 'n'], 'num_heads and seq_len come from the model');

    const json = readFileSync(join(ROOT, 'examples/ds_config.json'), 'utf8');
    const [fromJson] = findConfigsInJson(json);
    assert.equal(fromJson.preset, 'deepspeed-fixed');
    assert.deepEqual([config(fromJson).block, config(fromJson).differentLayoutPerHead, config(fromJson).numDifferentGlobalPatterns], [16, true, 4]);
    assert.deepEqual(fromJson.found.horizontalGlobalAttention.argument, rangeOf(json, '"horizontal_global_attention": false'));
    assert.deepEqual(fromJson.issues, []);
    // No "mode": DeepSpeed's default is fixed; an unknown mode is no preset.
    assert.equal(findConfigsInJson('{"sparse_attention": {"block": 8, "global_block_end_indices": null}}')[0].preset, 'deepspeed-fixed');
    assert.deepEqual(findConfigsInJson('{"sparse_attention": {"mode": "bigbird"}}'), []);
  });

  it("xformers' copy spells block as block_size", () => {
    const f = only('from xformers.components.attention.sparsity_config import FixedSparsityConfig\nc = FixedSparsityConfig(num_heads=4, block_size=32)\n');
    assert.equal(config(f).block, 32);
    assert.equal(f.found.block.value, 32);
  });

  it("fairseq: values from __init__'s parameter defaults, resolved to the default's literal", () => {
    const text = readFileSync(join(ROOT, 'examples/fairseq_sparse_layer.py'), 'utf8');
    const f = only(text);
    assert.equal(f.preset, 'fairseq-fixed');
    assert.deepEqual([config(f).stride, config(f).c, config(f).heads, config(f).bidirectional], [64, 16, 8, false]);
    assert.deepEqual(f.found.stride.range, rangeOf(text, '64'), 'the literal in the def line');
    assert.deepEqual(f.found.stride.argument, rangeOf(text, 'stride=stride'));
    assert.deepEqual(f.found.heads.argument, rangeOf(text, 'num_heads', 1), 'the second positional argument');
    // Left out, fairseq's own defaults apply: stride 32, expressivity 8, bidirectional.
    const bare = only('attn = SparseMultiheadAttention(512, 8)');
    assert.deepEqual([config(bare).stride, config(bare).c, config(bare).bidirectional], [32, 8, true]);
  });

  it('module constants, chained names, arithmetic, and the last binding before the use', () => {
    const text = [
      'BLOCK = 16',
      'WINDOW = LOCAL = 2 * 4',
      'BLOCK = 32',
      'cfg = FixedSparsityConfig(num_heads=2 ** 3, block=BLOCK, num_local_blocks=LOCAL, num_global_blocks=(WINDOW // 4))',
      'BLOCK = 64',
    ].join('\n');
    const f = only(text);
    assert.deepEqual([config(f).heads, config(f).block, config(f).numLocalBlocks, config(f).numGlobalBlocks], [8, 32, 8, 2]);
    assert.deepEqual(f.found.block.range, rangeOf(text, '32'), 'the constant the name resolved to');
    assert.deepEqual(f.found.block.argument, rangeOf(text, 'block=BLOCK'));
    // Inside a function the module has been loaded: the last binding of all.
    const late = only('def f():\n    return FixedSparsityConfig(num_heads=4, block=BLOCK)\nBLOCK = 16\nBLOCK = 64\n');
    assert.equal(config(late).block, 64);
  });

  it("Python's literal spellings: 0x10, 4_096, -1, raw and concatenated strings; bytes and floats are not config values", () => {
    const f = only('cfg = FixedSparsityConfig(num_heads=0b100, block=0x10, num_local_blocks=1_2, num_global_blocks=-(-3), attention=r"uni" \'directional\', different_layout_per_head=True)');
    assert.deepEqual([config(f).heads, config(f).block, config(f).numLocalBlocks, config(f).numGlobalBlocks, config(f).attention, config(f).differentLayoutPerHead], [4, 16, 12, 3, 'unidirectional', true]);
    const g = only("cfg = FixedSparsityConfig(num_heads=4, block=16.0, attention=b'unidirectional', num_local_blocks=08)");
    assert.deepEqual([...g.unresolved].sort(), ['attention', 'block', 'n', 'numLocalBlocks']);
    const escaped = only('cfg = FixedSparsityConfig(num_heads=4, attention="uni\\u0064irectional")');
    assert.equal(config(escaped).attention, 'unidirectional');
  });

  it('what cannot be read is unresolved, the config still offered with defaults', () => {
    const text = 'cfg = FixedSparsityConfig(num_heads=config.num_attention_heads, block=pick_block(), num_local_blocks=4.0, attention=f"{kind}directional")';
    const f = only(text);
    assert.deepEqual([...f.unresolved].sort(), ['attention', 'block', 'heads', 'n', 'numLocalBlocks']);
    assert.equal(config(f).block, 16);
    assert.deepEqual(validateConfig(f.config), [], 'the offered config is the valid default');
    assert.deepEqual(findingDensity(f), { known: false, reason: 'unknown n, heads, block, numLocalBlocks, attention' });
    // A name bound only after its use at module level is unknown too.
    assert.deepEqual(only('c = FixedSparsityConfig(num_heads=H)\nH = 4\n').unresolved, ['n', 'heads']);
  });

  it('OpenAI attn_mode="fixed": keywords, and positional attn_mode of get_blocksparse_obj', () => {
    const text = readFileSync(join(ROOT, 'examples/openai_fixed_attention.py'), 'utf8');
    const f = only(text);
    assert.equal(f.preset, 'openai-fixed');
    assert.equal(f.source, 'attn_mode="fixed"');
    assert.deepEqual([config(f).heads, config(f).stride, config(f).block, config(f).numVerts, config(f).vertsize], [8, 128, 32, 4, 1]);
    const obj = only('bst = get_blocksparse_obj(1024, 4, "fixed", 32, 128)');
    assert.deepEqual([config(obj).n, config(obj).heads, config(obj).block, config(obj).stride, config(obj).numVerts], [1024, 4, 32, 128, 4]);
    assert.deepEqual(obj.unresolved, []);
    assert.deepEqual(findingDensity(obj).known, true);
    assert.deepEqual(findConfigsInPython('bst = get_blocksparse_obj(1024, 4, "strided", 32, 128)'), [], 'another mode is no fixed config');
    assert.deepEqual(findConfigsInPython('y = attention_impl(q, k, v, heads=4, attn_mode="local", local_attn_ctx=32)'), []);
  });

  it('plain keywords as in examples/sparse_model.py, with a density from the core statistics', () => {
    const text = readFileSync(join(ROOT, 'examples/sparse_model.py'), 'utf8');
    const f = only(text);
    assert.equal(f.preset, 'fixed');
    assert.equal(f.source, 'keywords');
    assert.deepEqual(f.config, { ...patternSpec('fixed').defaults, n: 256, stride: 32, c: 4, heads: 4, subblocks: 4 });
    assert.deepEqual(f.unresolved, []);
    const density = findingDensity(f);
    assert.ok(density.known && density.against === 'causal');
    // Head 0 alone (heads differ only in which summary sub-block they use): rows of the paper's set, counted by brute force.
    let allowed = 0;
    for (let i = 0; i < 256; i++) for (let j = 0; j <= i; j++) if (Math.floor(j / 32) === Math.floor(i / 32) || j % 32 >= 32 - 4) allowed++;
    assert.ok(Math.abs(density.density - allowed / ((256 * 257) / 2)) < 1e-12, `${density.density}`);
  });

  it("a dataclass's fields with defaults are a config; fields without values are not", () => {
    const text = [
      '@dataclass',
      'class SparseAttentionConfig:',
      '    """stride: int = 1 in a docstring is no field."""',
      '    max_position_embeddings: int = 4096',
      '    stride: int = 128',
      '    summary_length: int = 256  # longer than the block',
      '    num_heads: int = 8',
      '    dropout: float = 0.1',
      '',
      '',
      'class Declared:',
      '    stride: int',
      '    c: int',
    ].join('\n');
    const f = only(text);
    assert.equal(f.source, 'class fields');
    assert.deepEqual(f.range, { start: { line: 1, character: 0 }, end: { line: 7, character: 24 } });
    assert.deepEqual([config(f).n, config(f).stride, config(f).c, config(f).heads], [4096, 128, 256, 8]);
    assert.deepEqual(f.issues, [{ key: 'c', message: 'c (256) must be <= l (128)', range: rangeOf(text, 'summary_length: int = 256') }]);
  });

  it('the c > l mistake is placed on the summary argument', () => {
    const text = readFileSync(join(ROOT, 'examples/summary_too_long.py'), 'utf8');
    const f = only(text);
    assert.deepEqual(f.issues, [{ key: 'c', message: 'c (40) must be <= l (32)', range: rangeOf(text, 'summary=40') }]);
    const constant = rangeOf(text, 'STRIDE = 32');
    assert.deepEqual(f.found.stride.range, { start: { ...constant.start, character: constant.start.character + 9 }, end: constant.end }, 'the 32 of STRIDE = 32');
  });

  it('an issue resting on an unknown value is not reported; one that holds whatever it is, is', () => {
    assert.deepEqual(only('a = SparseConfig(n=256, stride=get_stride(), c=40, heads=4)').issues, []);
    const known = only('b = FixedSparsityConfig(num_heads=h, num_local_blocks=4, num_global_blocks=3)');
    assert.deepEqual(known.issues.map((i) => i.message), ['Number of blocks in a local window, 4, must be dividable by number of global blocks, 3!']);
    assert.deepEqual(only('b = FixedSparsityConfig(num_heads=h, num_local_blocks=x, num_global_blocks=3)').issues, []);
  });

  it('does not match comments, strings, docstrings, nn.Conv2d(stride=2) or unrelated calls', () => {
    const text = [
      '"""FixedSparsityConfig(num_heads=8) in a docstring."""',
      '# cfg = FixedSparsityConfig(num_heads=8)',
      'doc = "SparseConfig(stride=32, c=4)"',
      "raw = r'''blocksparse_attention_impl(q, k, v, heads=4, attn_mode=\"fixed\")'''",
      'conv = nn.Conv2d(3, 8, kernel_size=3, stride=2, padding=1)',
      'pool = F.max_pool1d(x, 2, stride=2)',
      'cfg = {"mode": "fixed", "block": 16}',
      'print(c=4)',
      'def f(stride=2, c=3):',
      '    return torch.arange(0, 10, step=stride)',
    ].join('\n');
    assert.deepEqual(findConfigsInPython(text), []);
    assert.deepEqual(findConfigsInJson('{"train_batch_size": 8, "note": "sparse_attention"}'), []);
  });

  it('syntax errors elsewhere do not hide a config, and CRLF line ends count as one', () => {
    const text = 'def broken(:\r\n    pass\r\ncfg = FixedSparsityConfig(\r\n    num_heads=4, block=8)\r\n';
    const f = only(text);
    assert.deepEqual(f.range.start, { line: 2, character: 6 });
    assert.deepEqual(f.found.block.argument, { start: { line: 3, character: 17 }, end: { line: 3, character: 24 } });
  });

  it('a 2,000-line file parses and detects (time measured by npm run bench, not asserted here)', () => {
    const block = readFileSync(join(ROOT, 'examples/deepspeed_bert_sparse.py'), 'utf8');
    const lines = block.split('\n').length;
    const text = Array.from({ length: Math.ceil(2000 / lines) }, () => block).join('\n');
    assert.equal(findConfigsInPython(text).length, 2 * Math.ceil(2000 / lines));
  });
});
