/**
 * Sparse-attention configs found in the user's code (pure: no vscode, no Node API): DeepSpeed's
 * SparsityConfig classes and "sparse_attention" dicts, fairseq's SparseMultiheadAttention,
 * OpenAI's attn_mode="fixed", and plain l/c keywords, each resolved to a registry preset with its
 * values, where they came from, what could not be read, and the registry's issues.
 */
export type { SourcePosition, SourceRange } from './positions';
export type { ConfigFinding, ConfigIssueAt, FoundValue } from './finding';
export { findConfigsInJson, findConfigsInPython } from './detect';
export { findingDensity } from './density';
export type { FindingDensity } from './density';
