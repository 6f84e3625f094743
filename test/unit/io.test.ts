import { strict as assert } from 'assert';
import {
  buildPattern,
  decodeNpy,
  defaultConfig,
  diffDense,
  encodeNpy,
  FactorizedConfig,
  findKnownMatch,
  formatBytes,
  gridSvg,
  HeadMask,
  pooledNote,
  checkMaskJsonSize,
  estimateMaskJsonBytes,
  maskJsonChunks,
  maskSvg,
  MASK_JSON_LIMIT_BYTES,
  PatternConfig,
  PatternMask,
  RangeList,
  NpyError,
  toDense,
  TooLargeError,
} from '../../src/core';

import { headPicture } from './brute';

const fixed = (over: Partial<FactorizedConfig>): FactorizedConfig => ({ ...(defaultConfig('fixed') as FactorizedConfig), ...over });

describe('.npy encoding', () => {
  it('round-trips shape, dtype and payload with a 64-byte aligned header', () => {
    const data = new Uint8Array([1, 0, 1, 1, 0, 0]);
    const bytes = encodeNpy('|u1', [1, 2, 3], data);
    assert.equal((bytes.length - data.length) % 64, 0);
    const back = decodeNpy(bytes);
    assert.deepEqual(back.shape, [1, 2, 3]);
    assert.equal(back.dtype, '|u1');
    assert.deepEqual(Array.from(back.data), Array.from(data));
  });

  it('rejects non-npy, truncated and unsupported files with a message naming the file', () => {
    assert.throws(() => decodeNpy(new Uint8Array([1, 2, 3]), 'theirs.npy'), /theirs.npy is not a .npy file/);
    const bytes = encodeNpy('<f4', [4], new Float32Array(4));
    assert.throws(() => decodeNpy(bytes.subarray(0, bytes.length - 3), 'x.npy'), /x.npy is truncated: shape \[4\] <f4 needs 16 bytes/);
    const text = new TextDecoder('latin1').decode(bytes).replace('<f4', '<c8');
    const other = Uint8Array.from(text, (ch) => ch.charCodeAt(0));
    assert.throws(() => decodeNpy(other, 'y.npy'), (e: unknown) => e instanceof NpyError && /y.npy has dtype <c8/.test((e as Error).message));
  });
});

describe('dense export', () => {
  it('is refused above the limit with a size estimate', () => {
    const mask = buildPattern(fixed({ n: 65536, heads: 8, stride: 256 }));
    assert.throws(() => toDense(mask), (e: unknown) => e instanceof TooLargeError && /32.0 GiB \(limit 256.0 MiB\)/.test((e as Error).message));
  });
});

describe('JSON mask export', () => {
  /** The structure the CLI wrote with JSON.stringify before it streamed: the text must not change. */
  function reference(config: PatternConfig, mask: PatternMask, layoutOnly: boolean): string {
    if (layoutOnly) {
      const { block, heads, blocks, data } = mask.layout!;
      return JSON.stringify({ config, block, shape: [heads, blocks, blocks], layout: Array.from(data) });
    }
    const list = new RangeList();
    const heads = mask.heads.map((head) => {
      const rows: number[][] = [];
      for (let i = 0; i < mask.n; i++) {
        head.row(i, list);
        rows.push(Array.from({ length: list.length * 2 }, (_, k) => (k % 2 ? list.ends[k >> 1] : list.starts[k >> 1])));
      }
      return { rows };
    });
    const rowRanges = 'per row: start0, end0, start1, end1, ... (end exclusive)';
    return JSON.stringify({ config, shape: [mask.heads.length, mask.n, mask.n], rowRanges, heads, warnings: mask.warnings });
  }
  const configs: PatternConfig[] = [
    fixed({ n: 100, stride: 16, c: 3, heads: 3, subblocks: 3 }),
    fixed({ n: 64, stride: 8, c: 2, heads: 2, mode: 'split', bidirectional: true }),
    fixed({ n: 1, stride: 4, c: 1, heads: 1 }),
    { ...defaultConfig('deepspeed-fixed'), n: 128, heads: 2 } as PatternConfig,
    defaultConfig('openai-fixed'),
  ];

  it('streams the same text JSON.stringify makes, for row ranges and layouts', () => {
    for (const config of configs) {
      const mask = buildPattern(config);
      assert.equal([...maskJsonChunks(config, mask, false)].join(''), reference(config, mask, false), config.pattern);
      if (mask.layout) assert.equal([...maskJsonChunks(config, mask, true)].join(''), reference(config, mask, true), `${config.pattern} layout`);
    }
  });

  it('estimates its size within 10% before making it', () => {
    for (const config of [fixed({ n: 4096, stride: 64, c: 4, heads: 4, subblocks: 4 }), fixed({ n: 3000, stride: 100, c: 7, heads: 2, mode: 'interleaved', layer: 1 }), configs[3]]) {
      const mask = buildPattern(config);
      const actual = Buffer.byteLength([...maskJsonChunks(config, mask, false)].join(''));
      const estimate = estimateMaskJsonBytes(mask, false);
      assert.ok(Math.abs(estimate - actual) / actual < 0.1, `${config.pattern}: estimate ${estimate} vs ${actual}`);
    }
  });

  it('is refused above 256 MiB with the estimate, before any text is made', () => {
    const mask = buildPattern(fixed({ n: 65536, heads: 16, stride: 128, c: 8 }));
    assert.throws(() => checkMaskJsonSize(mask, false), (e: unknown) => e instanceof TooLargeError && /JSON row ranges of a \[16, 65536, 65536\] mask .* would need 2\.\d GiB \(limit 256\.0 MiB\)/.test((e as Error).message));
    assert.throws(() => maskJsonChunks(fixed({ n: 65536, heads: 16, stride: 128, c: 8 }), mask, false).next(), TooLargeError);
    const small = buildPattern(fixed({ n: 4096, heads: 4, stride: 64, c: 4 }));
    assert.throws(() => checkMaskJsonSize(small, false, 1 << 20), /would need [\d.]+ MiB \(limit 1\.0 MiB\)/);
  });

  it('estimates exactly for a layout, and for row ranges when every row is sampled (n <= 1024)', () => {
    const layoutMask = buildPattern(configs[3]);
    assert.deepEqual([layoutMask.layout!.heads, layoutMask.layout!.blocks], [2, 8]);
    assert.equal(estimateMaskJsonBytes(layoutMask, true), 2 * 8 * 8 * 2 + 256);
    // Row ranges: 512 for the frame, and per head 12 plus each row's text and its comma.
    const list = new RangeList();
    for (const config of configs) {
      const mask = buildPattern(config);
      let expected = 512;
      for (const head of mask.heads) {
        expected += 12;
        for (let i = 0; i < mask.n; i++) {
          head.row(i, list);
          const row: number[] = [];
          for (let r = 0; r < list.length; r++) row.push(list.starts[r], list.ends[r]);
          expected += JSON.stringify(row).length + 1;
        }
      }
      assert.equal(estimateMaskJsonBytes(mask, false), expected, config.pattern);
    }
  });

  it('is refused only above the limit, with what, the estimate and advice', () => {
    const rows = buildPattern(configs[0]);
    const estimate = estimateMaskJsonBytes(rows, false);
    assert.doesNotThrow(() => checkMaskJsonSize(rows, false, estimate));
    assert.throws(
      () => checkMaskJsonSize(rows, false, estimate - 1),
      (e: unknown) =>
        e instanceof TooLargeError &&
        e.bytes === estimate &&
        e.message ===
          `The JSON row ranges of a [3, 100, 100] mask (estimated from 100 sample rows per head) would need ${formatBytes(estimate)} (limit ${formatBytes(estimate - 1)}): ` +
            'use a smaller n or fewer heads, --layout for block presets, or stats for the numbers',
    );
    const layout = buildPattern(configs[3]);
    assert.doesNotThrow(() => checkMaskJsonSize(layout, true, 512));
    assert.throws(
      () => checkMaskJsonSize(layout, true, 511),
      (e: unknown) =>
        e instanceof TooLargeError &&
        e.message === 'The JSON block layout [2, 8, 8] would need 512 B (limit 511 B): use --format npy (one byte per block), a larger block or a smaller n',
    );
    assert.equal(MASK_JSON_LIMIT_BYTES, 256 * 1024 * 1024);
  });

  it('yields a chunk as soon as a head\'s text reaches 1 MiB, and the rest at the head\'s end', () => {
    // For this band the rows' text reaches exactly 2^20 characters after row 76484 (found by search),
    // so the chunk boundary is pinned to the character.
    const config = fixed({ pattern: 'local', n: 80000, stride: 16, heads: 1, bidirectional: true });
    const mask = buildPattern(config);
    const chunks = [...maskJsonChunks(config, mask, false)];
    assert.equal(chunks.length, 4);
    assert.match(chunks[0], /^\{"config":.*"heads":\[$/);
    assert.equal(chunks[1].length, 1 << 20);
    assert.match(chunks[1], /^\{"rows":\[\[0,16\],.*,\[76469,76500\]$/);
    assert.match(chunks[2], /^,\[76470,76501\],.*,\[79984,80000\]\]\}$/);
    assert.equal(chunks[3], '],"warnings":[]}');
    assert.equal(chunks.join(''), reference(config, mask, false));
  });
});

describe('mask diff', () => {
  it('is identical for the same pattern and counts missing and extra cells with coordinates', () => {
    const config = fixed({ n: 32, stride: 8, c: 2, heads: 2 });
    const mask = buildPattern(config);
    const dense = toDense(mask);
    assert.equal(diffDense(dense, 2, mask).identical, true);
    dense[5 * 32 + 1] = 0; // remove an allowed cell in head 0
    dense[32 * 32 + 0 * 32 + 31] = 1; // add a future cell in head 1
    const diff = diffDense(dense, 2, mask);
    assert.equal(diff.identical, false);
    assert.deepEqual(diff.heads[0], { head: 0, missing: 1, extra: 0, examples: [{ i: 5, j: 1, kind: 'missing' }] });
    assert.deepEqual(diff.heads[1], { head: 1, missing: 0, extra: 1, examples: [{ i: 0, j: 31, kind: 'extra' }] });
  });

  it('names the known port a mask really is', () => {
    const config = fixed({ n: 64, stride: 8, c: 2, heads: 1 });
    const lra = toDense(buildPattern({ ...config, pattern: 'lra-fixed' }));
    assert.match(findKnownMatch(lra, 1, config)!.description, /c\+1 cells/);
    const fairseq = toDense(buildPattern({ ...config, pattern: 'fairseq-fixed' }));
    assert.equal(findKnownMatch(fairseq, 1, config)!.config.pattern, 'fairseq-fixed');
    const bidi = toDense(buildPattern({ ...config, bidirectional: true }));
    assert.match(findKnownMatch(bidi, 1, config)!.description, /bidirectional/);
    const noise = toDense(buildPattern(config));
    noise[3] = 1;
    assert.equal(findKnownMatch(noise, 1, config), undefined);
  });
});

describe('SVG export', () => {
  it('draws every allowed run of cells as a rect, per head', () => {
    const mask = buildPattern(fixed({ n: 16, stride: 4, c: 1, heads: 2 }));
    const svg = maskSvg(mask, 'fixed');
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    const runs = mask.heads.map((head) => headPicture(head).reduce((sum, row) => sum + (row.match(/1+/g) ?? []).length, 0));
    // One frame rect per head plus one rect per run of allowed cells.
    assert.equal((svg.match(/<rect /g) ?? []).length, 2 + runs[0] + runs[1]);
    assert.match(svg, /head 1/);
  });

  it('draws the exact SVG: cells of 4 px, one rect per run (never across rows), captions and title escaped', () => {
    const u = undefined;
    const maps = [
      { caption: 'a<b&c>"d', colours: ['#f00', '#f00', u, u, '#0f0', '#0f0', '#0f0', '#00f', '#00f'] },
      // Entries past grid x grid are not drawn.
      { caption: 'head 1', colours: [u, u, u, u, '#abc', u, u, u, u, '#abc', '#abc', '#abc'] },
    ];
    const expected = [
      '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="28" viewBox="0 0 40 28">',
      '<title>say "hi" b</title>',
      '<g transform="translate(0,16)"><rect width="12" height="12" fill="none" stroke="#999"/>' +
        '<rect x="0" y="0" width="8" height="4" fill="#f00"/><rect x="4" y="4" width="8" height="4" fill="#0f0"/>' +
        '<rect x="0" y="8" width="4" height="4" fill="#0f0"/><rect x="4" y="8" width="8" height="4" fill="#00f"/>' +
        '<text x="6" y="-4" text-anchor="middle" font-size="11" font-family="sans-serif">abcd</text></g>',
      '<g transform="translate(28,16)"><rect width="12" height="12" fill="none" stroke="#999"/>' +
        '<rect x="4" y="4" width="4" height="4" fill="#abc"/>' +
        '<text x="6" y="-4" text-anchor="middle" font-size="11" font-family="sans-serif">head 1</text></g>',
      '</svg>',
      '',
    ].join('\n');
    assert.equal(gridSvg(maps, 3, 'say "hi" <b>&'), expected);
  });

  it('uses 4 px cells up to 128 a side, 2 px up to 256, then 1 px', () => {
    for (const [grid, cell] of [[1, 4], [128, 4], [129, 2], [256, 2], [257, 1], [300, 1]]) {
      const side = grid * cell;
      const svg = gridSvg([{ caption: '', colours: [] }], grid, '');
      assert.equal(svg.split('\n')[0], `<svg xmlns="http://www.w3.org/2000/svg" width="${side}" height="${side + 16}" viewBox="0 0 ${side} ${side + 16}">`, `grid ${grid}`);
    }
  });

  it("draws a mask's allowed cells in blue, the same SVG as its cells through gridSvg", () => {
    const mask = buildPattern(fixed({ n: 8, stride: 4, c: 1, heads: 2, mode: 'split' }));
    const maps = mask.heads.map((head: HeadMask, h) => ({
      caption: `head ${h}`,
      colours: headPicture(head).flatMap((row) => Array.from(row, (cell) => (cell === '1' ? '#1f4e99' : undefined))),
    }));
    assert.equal(maskSvg(mask, 'tiny'), gridSvg(maps, 8, 'tiny'));
  });

  it('notes max-pooling only when cells were pooled', () => {
    assert.equal(pooledNote(16, 16), '');
    assert.equal(pooledNote(32, 16), '');
    assert.equal(pooledNote(8, 16), ' (max-pooled: 8x8 blocks of 16x16 cells)');
  });

  it('max-pools above the cell limit and says so', () => {
    const svg = maskSvg(buildPattern(fixed({ n: 4096, stride: 128, c: 8, heads: 1 })), 'big', 256);
    assert.match(svg, /max-pooled: 256x256 blocks of 4096x4096 cells/);
  });
});
