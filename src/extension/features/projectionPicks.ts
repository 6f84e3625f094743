/**
 * Load Checkpoint… on an architecture the forward pass does not know: as the CLI's
 * --q/--k/--v|--qkv --heads --input, the user names the layer's Q/K/V projections (one fused tensor
 * or three), its head count and the layer's input [n, d] (.npy, after the model's norm), and the
 * worker applies them. Escape at any step cancels quietly.
 */
import * as vscode from 'vscode';
import { readFileSync } from 'fs';
import { basename } from 'path';
import { decodeNpy } from '../../core';
import { headChoices, outputWidth, projectionCandidates, ProjectionRole, TensorShape } from '../../model/projectionCandidates';
import type { NamedProjection, UnknownModel } from '../modelWorker';

/** The projections, heads, direction and layer input, asked in turn; undefined when the user cancels. */
export async function askProjection(unknown: UnknownModel, path: string, layer: number): Promise<NamedProjection | undefined> {
  const title = `${basename(path)}: unknown architecture, layer ${layer}`;
  const kind = await vscode.window.showQuickPick(
    [
      { label: 'Fused Q/K/V tensor', detail: 'one weight whose outputs are q | k | v (GPT-2 c_attn, Falcon, MPT Wqkv)', fused: true },
      { label: 'Separate Q, K and V tensors', detail: 'three weights (q_proj, k_proj, v_proj; query, key, value)', fused: false },
    ],
    { title, placeHolder: `The architecture is not one the forward pass runs (${unknown.unknownArchitecture.split(':')[0]}): name this layer's projections` },
  );
  if (!kind) return undefined;
  const input = await askInput(title, unknown.tokens);
  if (!input) return undefined;
  const names: Partial<Record<ProjectionRole, string>> = {};
  for (const role of kind.fused ? (['qkv'] as const) : (['q', 'k', 'v'] as const)) {
    const picked = await pickTensor(title, unknown.tensors, input.d, layer, role);
    if (!picked) return undefined;
    names[role] = picked;
  }
  const queryTensor = unknown.tensors.find((t) => t.name === (kind.fused ? names.qkv : names.q))!;
  const queryWidth = outputWidth(queryTensor, input.d)! / (kind.fused ? 3 : 1);
  const heads = await vscode.window.showQuickPick(
    headChoices(queryWidth).map((c) => ({ label: `${c.heads} heads`, description: `of ${c.headDim} values`, heads: c.heads })),
    { title, placeHolder: `How many attention heads share the ${queryWidth} query values? (config.json's num_attention_heads)` },
  );
  if (!heads) return undefined;
  const direction = await vscode.window.showQuickPick(
    [
      { label: 'Causal', detail: 'a decoder: each token attends to itself and the tokens before it', causal: true },
      { label: 'Bidirectional', detail: 'an encoder (BERT-like): each token attends to every token', causal: false },
    ],
    { title, placeHolder: 'Which way does the model attend?' },
  );
  if (!direction) return undefined;
  return { inputPath: input.path, ...names, heads: heads.heads, causal: direction.causal };
}

/** The layer's input .npy, its width read from the header (the tensors offered must project it). */
async function askInput(title: string, tokens: number): Promise<{ path: string; d: number } | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title: `${title}: the layer's input [${tokens}, d], after its norm (.npy)`,
    openLabel: 'Use as the layer input',
    canSelectMany: false,
    filters: { 'NumPy array': ['npy'] },
  });
  if (!picked?.[0]) return undefined;
  const path = picked[0].fsPath;
  const header = decodeNpy(readFileSync(path), path);
  if (header.shape.length !== 2) throw new Error(`${path} has shape [${header.shape.join(', ')}]; the layer input is [n, d], one row per token`);
  return { path, d: header.shape[1] };
}

async function pickTensor(title: string, tensors: readonly TensorShape[], d: number, layer: number, role: ProjectionRole): Promise<string | undefined> {
  const what = role === 'qkv' ? 'the fused Q/K/V projection' : `the ${role.toUpperCase()} projection`;
  const candidates = projectionCandidates(tensors, d, layer, role);
  if (!candidates.length) throw new Error(`no 2-D tensor of the checkpoint has a side of ${d} (the layer input's width)${role === 'qkv' ? ' and outputs divisible by 3' : ''}: check the .npy against the model`);
  const chosen = await vscode.window.showQuickPick(
    candidates.map((t) => ({ label: t.name, description: `[${t.shape.join(', ')}]` })),
    { title, placeHolder: `Pick ${what} of layer ${layer} (its input width is ${d})`, matchOnDescription: true },
  );
  return chosen?.label;
}
