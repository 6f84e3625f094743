/**
 * Models in the Hugging Face hub cache, found the way huggingface_hub lays it out:
 * `<cache>/models--<org>--<name>/snapshots/<commit>/<file>` (each file a symlink into `../../blobs`),
 * with `refs/<branch>` holding the commit a branch points at. Node only (the extension host).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import { homedir } from 'os';
import { join } from 'path';

export interface CachedModel {
  /** The repository id, `org/name`. */
  name: string;
  /** The snapshot folder (config.json, tokenizer.json and weights). */
  path: string;
  /** `main` (or the ref naming this snapshot), else the commit's first 8 characters. */
  revision: string;
  weightFiles: string[];
}

/** Where huggingface_hub keeps its cache, by its own precedence (constants.py): HF_HUB_CACHE, HF_HOME/hub, XDG_CACHE_HOME/huggingface/hub. */
export function hubCacheDir(env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  const explicit = env.HF_HUB_CACHE ?? env.HUGGINGFACE_HUB_CACHE;
  if (explicit) return explicit;
  const hfHome = env.HF_HOME ?? join(env.XDG_CACHE_HOME ?? join(home, '.cache'), 'huggingface');
  return join(hfHome, 'hub');
}

const WEIGHTS = /\.(safetensors|bin|pt|pth|ckpt|npz|gguf|onnx)$/i;

/**
 * Snapshots that hold a config.json and at least one weight file (a model whose weights were never
 * downloaded cannot be loaded, so it is not offered). A ref's snapshot is listed once, under the ref.
 */
export function cachedModels(cache = hubCacheDir()): CachedModel[] {
  const models: CachedModel[] = [];
  for (const entry of safeList(cache).filter((e) => e.startsWith('models--')).sort()) {
    const repo = join(cache, entry);
    const name = entry.slice('models--'.length).split('--').join('/');
    const refs = refsByCommit(join(repo, 'refs'));
    for (const commit of safeList(join(repo, 'snapshots')).sort()) {
      const path = join(repo, 'snapshots', commit);
      const files = safeList(path);
      // A dangling symlink (blob removed) is not a usable weight file.
      const weightFiles = files.filter((f) => WEIGHTS.test(f) && isFile(join(path, f)));
      if (!files.includes('config.json') || weightFiles.length === 0) continue;
      models.push({ name, path, revision: refs.get(commit) ?? commit.slice(0, 8), weightFiles });
    }
  }
  return models;
}

function refsByCommit(refsDir: string): Map<string, string> {
  const byCommit = new Map<string, string>();
  for (const ref of safeList(refsDir).sort()) {
    try {
      const commit = readFileSync(join(refsDir, ref), 'utf8').trim();
      if (!byCommit.has(commit) || ref === 'main') byCommit.set(commit, ref);
    } catch {
      // refs/pr is a folder; other unreadable refs just leave the commit unnamed.
    }
  }
  return byCommit;
}

function safeList(dir: string): string[] {
  try {
    return existsSync(dir) ? readdirSync(dir) : [];
  } catch {
    return [];
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
