/**
 * The Hugging Face hub cache as huggingface_hub lays it out (blobs named by their hash, snapshot
 * files as relative symlinks into ../../blobs, refs/main naming a commit): the models Load
 * Checkpoint… offers, and hub ids (`org/name`) accepted by `sparse-attn checkpoint` where the path does not exist.
 */
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { cachedModels, hubCacheDir } from '../../src/huggingFaceCache';
import { productionCli } from '../support/productionCli';

/** Stores `files` as one snapshot of `repo`, the way hf_hub_download does. */
function download(cache: string, repo: string, commit: string, files: Record<string, Buffer>, ref?: string): string {
  const root = join(cache, `models--${repo.replace('/', '--')}`);
  const snapshot = join(root, 'snapshots', commit);
  mkdirSync(join(root, 'blobs'), { recursive: true });
  mkdirSync(snapshot, { recursive: true });
  for (const [name, bytes] of Object.entries(files)) {
    const blob = createHash('sha256').update(bytes).digest('hex');
    writeFileSync(join(root, 'blobs', blob), bytes);
    symlinkSync(join('..', '..', 'blobs', blob), join(snapshot, name));
  }
  if (ref) {
    mkdirSync(join(root, 'refs'), { recursive: true });
    writeFileSync(join(root, 'refs', ref), commit);
  }
  return snapshot;
}

const MODEL = resolve(__dirname, '../fixtures/models/gpt2');
/** The tiny GPT-2 fixture model: config.json, tokenizer.json, weights.npz. */
const gpt2Files = () => Object.fromEntries(readdirSync(MODEL).map((f) => [f, readFileSync(join(MODEL, f))]));
const OLD = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const MAIN = '0f9e8d7c6b5a49382716051f2e3d4c5b6a798877';

describe('Hugging Face cache', function () {
  this.timeout(120000);
  let cache: string;
  beforeEach(() => {
    cache = mkdtempSync(join(tmpdir(), 'hf-hub-'));
  });
  afterEach(() => rmSync(cache, { recursive: true, force: true }));

  it('finds the cache by huggingface_hub\'s precedence: HF_HUB_CACHE, HF_HOME/hub, XDG_CACHE_HOME, ~/.cache', () => {
    assert.equal(hubCacheDir({ HF_HUB_CACHE: '/a', HF_HOME: '/b', XDG_CACHE_HOME: '/c' }, '/home/u'), '/a');
    assert.equal(hubCacheDir({ HUGGINGFACE_HUB_CACHE: '/old' }, '/home/u'), '/old');
    assert.equal(hubCacheDir({ HF_HOME: '/b', XDG_CACHE_HOME: '/c' }, '/home/u'), '/b/hub');
    assert.equal(hubCacheDir({ XDG_CACHE_HOME: '/c' }, '/home/u'), '/c/huggingface/hub');
    assert.equal(hubCacheDir({}, '/home/u'), '/home/u/.cache/huggingface/hub');
  });

  it('offers every snapshot with a config and weights, named by its ref, and nothing else', () => {
    download(cache, 'tiny/gpt2', OLD, gpt2Files());
    const main = download(cache, 'tiny/gpt2', MAIN, gpt2Files(), 'main');
    // Only the config was fetched (AutoConfig.from_pretrained): no weights to load.
    download(cache, 'org/config-only', MAIN, { 'config.json': Buffer.from('{}') }, 'main');
    // A blob deleted by hand leaves a dangling symlink.
    const broken = download(cache, 'org/broken', MAIN, { 'config.json': Buffer.from('{}'), 'model.safetensors': Buffer.from('x') }, 'main');
    rmSync(join(cache, 'models--org--broken', 'blobs'), { recursive: true });
    mkdirSync(join(cache, 'datasets--org--data', 'snapshots', MAIN), { recursive: true });
    assert.ok(broken);
    assert.deepEqual(cachedModels(cache), [
      { name: 'tiny/gpt2', path: main, revision: 'main', weightFiles: ['weights.npz'] },
      { name: 'tiny/gpt2', path: join(cache, 'models--tiny--gpt2', 'snapshots', OLD), revision: OLD.slice(0, 8), weightFiles: ['weights.npz'] },
    ].sort((a, b) => a.path.localeCompare(b.path)));
    assert.deepEqual(cachedModels(join(cache, 'nothing-here')), []);
  });

  it('sparse-attn checkpoint list/attend accept a hub id from the cache (main first) and say where they looked when it is not there', async () => {
    const cli = await productionCli();
    // An older snapshot whose config does not fit the weights: the one refs/main names must be used.
    download(cache, 'tiny/gpt2', OLD, { ...gpt2Files(), 'config.json': Buffer.from('{"model_type":"gpt2","n_embd":64,"n_head":2,"n_layer":2}') });
    download(cache, 'tiny/gpt2', MAIN, gpt2Files(), 'main');
    const run = (...args: string[]) => spawnSync(process.execPath, [cli, 'checkpoint', ...args], { encoding: 'utf8', timeout: 60000, env: { ...process.env, HF_HUB_CACHE: cache } });
    const listed = run('list', 'tiny/gpt2');
    assert.equal(listed.status, 0, listed.stderr);
    assert.match(listed.stdout.split('\n')[1], /^model: GPT2LMHeadModel \(gpt2\), 3 layers, 4 heads/);
    const attended = run('attend', 'tiny/gpt2', '--text', 'Hello world', '--layer', '1', '--pattern', 'dense', '--coverage');
    assert.equal(attended.status, 0, attended.stderr);
    assert.match(attended.stdout, /^tiny\/gpt2: GPT2LMHeadModel, layer 1 of 3, \d+ tokens \(tokenizer\.json\), 4 heads/);
    assert.match(attended.stdout, /^layer mean: 100\.0% of the attention mass is inside the pattern$/m);
    const missing = run('list', 'tiny/not-downloaded');
    assert.equal(missing.status, 2);
    assert.equal(missing.stderr.trim(), `sparse-attn checkpoint: cannot read tiny/not-downloaded: ENOENT (and the Hugging Face cache at ${cache} holds no downloaded model tiny/not-downloaded)`);
  });
});
