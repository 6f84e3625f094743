/** DeepSpeed FixedSparsityConfig, as its make_layout builds it (Python slice semantics included). */
import type { DeepSpeedFixedConfig } from '../../config';
import { deepspeedSnippet } from '../../export/torchSnippet';
import { deepspeedHeads, deepspeedWarnings } from '../deepspeed';
import {
  ATTENTION,
  DIFFERENT_LAYOUT_PER_HEAD,
  DS_BLOCK,
  HEADS,
  HORIZONTAL_GLOBAL,
  N,
  NUM_DIFFERENT_GLOBAL_PATTERNS,
  NUM_GLOBAL_BLOCKS,
  NUM_LOCAL_BLOCKS,
} from '../params';
import { PatternSpec, pyDiv, pyMod } from '../spec';
import { horizontalRule, sequenceRule } from './deepspeedRules';

export const deepspeedFixedSpec: PatternSpec<DeepSpeedFixedConfig> = {
  name: 'deepspeed-fixed',
  summary: "DeepSpeed's FixedSparsityConfig: local windows of num_local_blocks, global blocks at each window's end",
  defaults: {
    pattern: 'deepspeed-fixed',
    n: 128,
    heads: 2,
    block: 16,
    numLocalBlocks: 4,
    numGlobalBlocks: 1,
    attention: 'bidirectional',
    horizontalGlobalAttention: false,
    differentLayoutPerHead: false,
    numDifferentGlobalPatterns: 1,
  },
  params: [N, HEADS, DS_BLOCK, NUM_LOCAL_BLOCKS, NUM_GLOBAL_BLOCKS, ATTENTION, HORIZONTAL_GLOBAL, DIFFERENT_LAYOUT_PER_HEAD, NUM_DIFFERENT_GLOBAL_PATTERNS],
  layout: true,
  // The order and wording follow FixedSparsityConfig.__init__ and setup_layout, with Python's
  // arithmetic: num_global_blocks 0 is its ZeroDivisionError, and non-positive counts reach the
  // messages DeepSpeed raises for them.
  validate(config, issues) {
    const local = config.numLocalBlocks;
    const global = config.numGlobalBlocks;
    if (global === 0) {
      issues.push({ field: 'numGlobalBlocks', message: "integer modulo by zero: DeepSpeed computes num_local_blocks % num_global_blocks (Python's ZeroDivisionError)" });
    } else if (pyMod(local, global) !== 0) {
      issues.push({ field: 'numGlobalBlocks', message: `Number of blocks in a local window, ${local}, must be dividable by number of global blocks, ${global}!` });
    }
    horizontalRule(config, issues);
    if (config.numDifferentGlobalPatterns > 1 && !config.differentLayoutPerHead) {
      issues.push({
        field: 'numDifferentGlobalPatterns',
        message: 'Number of different layouts cannot be more than one when you have set a single layout for all heads! Set different_layout_per_head to True.',
      });
    }
    // Stryker disable next-line ConditionalExpression: `global !== 0` → `true`: pyMod(local, 0) is NaN, so the next test fails anyway (the others are killed)
    if (global !== 0 && pyMod(local, global) === 0 && config.numDifferentGlobalPatterns > pyDiv(local, global)) {
      issues.push({
        field: 'numDifferentGlobalPatterns',
        message: `Number of layout versions (num_different_global_patterns), ${config.numDifferentGlobalPatterns}, cannot be larger than number of local window blocks divided by number of global blocks, ${local} / ${global} = ${pyDiv(local, global)}!`,
      });
    }
    // Only both negative get here: any other non-positive pair fails a check above, so which of the two is tested does not matter.
    // Stryker disable next-line LogicalOperator,EqualityOperator,ConditionalExpression: see above; `local <= 0` or `global < 0` → `false` leaves the other, true for both negative (`!issues.length` → `false` and the whole → `true`/`false` are killed)
    if (!issues.length && (local <= 0 || global < 0)) {
      // DeepSpeed accepts this one (both negative, dividing evenly) and builds an empty layout.
      issues.push({ field: 'numLocalBlocks', message: `num_local_blocks (${local}) and num_global_blocks (${global}) must be positive: DeepSpeed accepts these but builds an empty layout` });
    }
    sequenceRule(config, issues);
  },
  build(config) {
    const { layout, heads } = deepspeedHeads(config);
    return { n: config.n, heads, layout, warnings: deepspeedWarnings(config) };
  },
  causal: (config) => config.attention === 'unidirectional',
  rule(config, _h, i, j) {
    const window = (x: number) => Math.floor(Math.floor(x / config.block) / config.numLocalBlocks);
    return window(i) === window(j) ? 'local window' : 'global (summary) block';
  },
  torchSnippet: deepspeedSnippet,
  window: (config) => ({
    size: config.block * config.numLocalBlocks,
    what: `block × num_local_blocks (${config.block} × ${config.numLocalBlocks})`,
    change: 'a smaller block or fewer local blocks',
  }),
};
