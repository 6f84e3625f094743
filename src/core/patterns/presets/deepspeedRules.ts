/** Checks DeepSpeed's SparsityConfig classes share, with DeepSpeed's own messages. */
import type { ConfigIssue } from '../../config';

/** setup_layout: the sequence must split into whole blocks. */
export function sequenceRule(config: { n: number; block: number }, issues: ConfigIssue[]): void {
  if (config.n % config.block !== 0) issues.push({ field: 'n', message: `Sequence Length, ${config.n}, needs to be dividable by Block size ${config.block}!` });
}

export function horizontalRule(config: { attention: string; horizontalGlobalAttention: boolean }, issues: ConfigIssue[]): void {
  if (config.attention !== 'bidirectional' && config.horizontalGlobalAttention) {
    issues.push({ field: 'horizontalGlobalAttention', message: 'only "bi-directional" attentions can support horizontal global attention!' });
  }
}

/** Variable and BSLongformer: start and end indices pair up, each start before its end. */
export function globalRangeRules(config: { globalBlockIndices: number[]; globalBlockEndIndices: number[] }, issues: ConfigIssue[]): void {
  const starts = config.globalBlockIndices;
  const ends = config.globalBlockEndIndices;
  if (!ends.length) return;
  if (starts.length !== ends.length) {
    issues.push({
      field: 'globalBlockEndIndices',
      message: `Global block start indices length, ${starts.length}, must be same as global block end indices length, ${ends.length}!`,
    });
    return;
  }
  starts.forEach((start, k) => {
    if (start >= ends[k]) issues.push({ field: 'globalBlockEndIndices', message: `Global block start index, ${start}, must be smaller than global block end index, ${ends[k]}!` });
  });
}

export const pyList = (values: readonly number[]): string => `[${values.join(', ')}]`;
