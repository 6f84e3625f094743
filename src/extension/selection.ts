/** The editor selection as a token sequence (whitespace tokens; BPE arrives with the maps issue). */
import * as vscode from 'vscode';
import type { Sequence } from '../protocol';

/** The inspector draws every head of every row; beyond this the selection is refused, not truncated. */
export const MAX_SEQUENCE_TOKENS = 16384;

export function sequenceFromSelection(editor: vscode.TextEditor): Sequence {
  const text = editor.selections.map((s) => editor.document.getText(s)).join('\n');
  const tokens = text.split(/\s+/).filter((t) => t.length > 0);
  const name = editor.document.uri.path.split('/').pop() ?? 'editor';
  if (tokens.length === 0) throw new Error(`The selection in ${name} is empty: select the text to inspect as a sequence.`);
  if (tokens.length > MAX_SEQUENCE_TOKENS) {
    throw new Error(`The selection has ${tokens.length} tokens; the inspector takes up to ${MAX_SEQUENCE_TOKENS}. Select less text.`);
  }
  return { tokens, source: `selection in ${name}` };
}
