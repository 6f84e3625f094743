/** Text (an editor selection or pasted into the panel) as a token sequence. */
import * as vscode from 'vscode';
import { tokenize, TokenizerName, TOKENIZERS } from '../core/tokenize';
import type { Sequence } from '../protocol';

/** The inspector draws every head of every row; beyond this a sequence is refused, not truncated. */
export const MAX_SEQUENCE_TOKENS = 16384;

export function tokenizerSetting(): TokenizerName {
  const value = vscode.workspace.getConfiguration('sparseAttention').get<string>('tokenizer', 'gpt2');
  return TOKENIZERS.includes(value as TokenizerName) ? (value as TokenizerName) : 'gpt2';
}

export function sequenceFromText(text: string, tokenizer: TokenizerName, origin: string): Sequence {
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
