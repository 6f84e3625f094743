/** The editor selection as a sequence, tokenized by the user's `sparseAttention.tokenizer` setting. */
import * as vscode from 'vscode';
import { TokenizerName, TOKENIZERS } from '../core/tokenize';
import type { Sequence } from '../protocol';
import { sequenceFromText } from '../sequence';

export function tokenizerSetting(): TokenizerName {
  const value = vscode.workspace.getConfiguration('sparseAttention').get<string>('tokenizer', 'gpt2');
  return TOKENIZERS.includes(value as TokenizerName) ? (value as TokenizerName) : 'gpt2';
}

export function sequenceFromSelection(editor: vscode.TextEditor): Sequence {
  const text = editor.selections.map((s) => editor.document.getText(s)).join('\n');
  const name = editor.document.uri.path.split('/').pop() ?? 'editor';
  return sequenceFromText(text, tokenizerSetting(), `selection in ${name}`);
}
