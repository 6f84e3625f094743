/** Text (an editor selection or pasted into the panel) as a token sequence. */
import * as vscode from 'vscode';
import { parseEmbeddings } from '../core/embeddings';
import { tokenize, TokenizerName, TOKENIZERS } from '../core/tokenize';
import type { PasteKind, Sequence } from '../protocol';

/** The inspector draws every head of every row; beyond this a sequence is refused, not truncated. */
export const MAX_SEQUENCE_TOKENS = 16384;

export function tokenizerSetting(): TokenizerName {
  const value = vscode.workspace.getConfiguration('sparseAttention').get<string>('tokenizer', 'gpt2');
  return TOKENIZERS.includes(value as TokenizerName) ? (value as TokenizerName) : 'gpt2';
}

export function sequenceFromText(text: string, tokenizer: PasteKind, origin: string): Sequence {
  if (tokenizer === 'numbers') {
    const { n, dim, values } = parseEmbeddings(text);
    if (n > MAX_SEQUENCE_TOKENS) throw new Error(`The ${origin} has ${n} rows; the inspector takes up to ${MAX_SEQUENCE_TOKENS}.`);
    return { tokens: Array.from({ length: n }, (_, i) => `#${i}`), source: `${origin} (embeddings [${n}, ${dim}])`, embeddings: { dim, values: Array.from(values) } };
  }
  const tokens = tokenize(text, tokenizer);
  if (tokens.length === 0) throw new Error(`The ${origin} is empty: give some text to inspect as a sequence.`);
  if (tokens.length > MAX_SEQUENCE_TOKENS) {
    throw new Error(`The ${origin} has ${tokens.length} ${tokenizer} tokens; the inspector takes up to ${MAX_SEQUENCE_TOKENS}. Use less text.`);
  }
  return { tokens, source: `${origin} (${tokenizer} tokens)` };
}

export function sequenceFromSelection(editor: vscode.TextEditor): Sequence {
  const text = editor.selections.map((s) => editor.document.getText(s)).join('\n');
  const name = editor.document.uri.path.split('/').pop() ?? 'editor';
  return sequenceFromText(text, tokenizerSetting(), `selection in ${name}`);
}
