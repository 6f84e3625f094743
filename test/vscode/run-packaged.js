'use strict';
// The user's path: package the .vsix, install it into a fresh VS Code server, open the inspector
// from the command palette with the keyboard, check what the webview drew, take a screenshot.
// Prints "N passed, N failed"; any hang ends in the overall timeout as a failure.
const { execFileSync, spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { ROOT, SERVER_MAIN, startServer, launchBrowser, runDir } = require('./server');

const TIMEOUT_MS = Number(process.env.SAI_PACKAGED_TIMEOUT || 300) * 1000;
const VSIX = path.join(ROOT, 'sparse-attention-inspector.vsix');
const SHOT = path.join(ROOT, 'test-results/screenshots/packaged-inspector.png');
const results = [];

function check(name, ok, detail = '') {
  results.push(ok);
  console.log(`${ok ? '  ✔' : '  ✘'} ${name}${ok || !detail ? '' : `: ${detail}`}`);
}

/**
 * F1, the command's title into the palette's input (filled, so no keystroke can land in the
 * editor before the palette has focus), then Enter once the palette's focused row is that command.
 * One retry: a busy machine can open the palette slowly.
 */
async function runFromPalette(page, title) {
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 15000 });
    await input.fill(`>${title}`);
    try {
      await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: title }).waitFor({ timeout: 15000 });
      return page.keyboard.press('Enter');
    } catch (e) {
      if (attempt === 2) throw e;
      await page.keyboard.press('Escape');
    }
  }
}

/** Edits the machine settings file as a user editing settings.json would; VS Code picks it up live. */
function setMachineSetting(server, key, value) {
  const file = path.join(server.dir, 'user-data/Machine/settings.json');
  const settings = JSON.parse(fs.readFileSync(file, 'utf8'));
  settings[key] = value;
  fs.writeFileSync(file, JSON.stringify(settings, null, 2));
}

/** The webview's attention status line once it matches `pattern` (or the last text after 60 s). */
async function waitForStatus(frame, pattern) {
  let text = '';
  for (const deadline = Date.now() + 60000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 250))) {
    text = await frame.locator('.compute-status').innerText().catch(() => '');
    if (pattern.test(text)) return { ok: true, text };
  }
  return { ok: false, text };
}

/**
 * A Hugging Face hub cache as hf_hub_download lays it out (blobs by hash, snapshot symlinks,
 * refs/main) holding fixture model folders: `tiny/gpt2`, and `tiny/distilbert` (an architecture the
 * forward pass does not run).
 */
function hubCacheWithTinyModels() {
  const cache = fs.mkdtempSync(path.join(require('os').tmpdir(), 'sai-hub-'));
  const commit = '0f9e8d7c6b5a49382716051f2e3d4c5b6a798877';
  for (const name of ['gpt2', 'distilbert']) {
    const repo = path.join(cache, `models--tiny--${name}`);
    const model = path.join(ROOT, 'test/fixtures/models', name);
    fs.mkdirSync(path.join(repo, 'blobs'), { recursive: true });
    fs.mkdirSync(path.join(repo, 'snapshots', commit), { recursive: true });
    fs.mkdirSync(path.join(repo, 'refs'));
    fs.writeFileSync(path.join(repo, 'refs', 'main'), commit);
    for (const file of fs.readdirSync(model)) {
      const bytes = fs.readFileSync(path.join(model, file));
      const blob = require('crypto').createHash('sha256').update(bytes).digest('hex');
      fs.writeFileSync(path.join(repo, 'blobs', blob), bytes);
      fs.symlinkSync(path.join('..', '..', 'blobs', blob), path.join(repo, 'snapshots', commit, file));
    }
  }
  return cache;
}

/**
 * Waits for the quick input of this step, by its title or its placeholder (not the previous step's
 * widget, which can still be showing while the extension works), types `text` and presses Enter
 * once its focused row (if a list) shows `row`, or clicks the step's `button` (a file dialog's OK:
 * Enter there opens the focused row).
 */
async function answerQuickInput(page, step, text, row) {
  const widget = page.locator('.quick-input-widget');
  if (step.title) await widget.locator('.quick-input-title', { hasText: step.title }).waitFor({ state: 'visible', timeout: 60000 });
  const input = widget.locator(step.placeholder ? `input[placeholder*="${step.placeholder}"]` : 'input');
  await input.waitFor({ state: 'visible', timeout: 60000 });
  if (step.prefilled) {
    // A file dialog fills in its folder and lists it after it shows, and may reset what was typed
    // meanwhile: wait for its list, then type until the text stays put for half a second.
    await widget.locator('.quick-input-list .monaco-list-row').first().waitFor({ state: 'visible', timeout: 30000 });
    for (let attempt = 0; attempt < 20; attempt++) {
      if ((await input.inputValue()) !== text) await input.fill(text);
      await page.waitForTimeout(500);
      if ((await input.inputValue()) === text) break;
    }
  } else if (text !== undefined) {
    await input.fill(text);
  }
  if (row) await widget.locator('.quick-input-list .monaco-list-row.focused', { hasText: row }).waitFor({ timeout: 15000 });
  if (step.button) await widget.getByRole('button', { name: step.button }).click();
  else await page.keyboard.press('Enter');
}

/** The coverage heading once it starts with `prefix` (or the last text after 90 s). */
async function waitForCoverage(page, frame, prefix) {
  let coverage = '';
  for (const deadline = Date.now() + 90000; Date.now() < deadline && !coverage.startsWith(prefix); await page.waitForTimeout(250)) {
    coverage = await frame.locator('.coverage h2').innerText().catch(() => '');
  }
  return coverage;
}

async function main() {
  execFileSync('npm', ['run', '--silent', 'package'], { cwd: ROOT, stdio: 'inherit' });
  const size = fs.statSync(VSIX).size;
  check(`the .vsix is small (${(size / 1024).toFixed(1)} KiB < 5 MiB)`, size < 5 * 1024 * 1024);
  const listing = execFileSync(path.join(ROOT, 'node_modules/.bin/vsce'), ['ls', '--no-dependencies'], { cwd: ROOT }).toString();
  check('it holds no tests, sources or fixtures', !/\b(src|test|webview)\/|\.ts\b|\.map\b|\.npy\b/.test(listing), listing);
  check('it carries the bundles it starts at run time (the attention and model workers)', /dist\/attention-worker\.js/.test(listing) && /dist\/model-worker\.js/.test(listing), listing);

  const extensionsDir = path.join(runDir(), 'packaged-extensions');
  fs.mkdirSync(extensionsDir, { recursive: true });
  const install = spawnSync(process.execPath, [SERVER_MAIN, '--install-extension', VSIX, '--extensions-dir', extensionsDir, '--accept-server-license-terms'], { encoding: 'utf8', timeout: 60000 });
  check('VS Code installs the .vsix', install.status === 0, install.stderr || install.stdout);

  const hubCache = hubCacheWithTinyModels();
  const server = await startServer({ workspace: path.join(ROOT, 'examples'), extensionsDir, env: { HF_HUB_CACHE: hubCache } });
  const browser = await launchBrowser();
  try {
    const page = browser.page;
    await page.goto(server.url);
    await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
    await page.waitForSelector('.explorer-folders-view', { timeout: 60000 });
    await page.getByRole('treeitem', { name: 'sparse_model.py' }).click();
    await page.waitForSelector('.monaco-editor .view-lines', { timeout: 30000 });
    await runFromPalette(page, 'Sparse Attention: Open Inspector');
    // The extension's page lives two iframes down (workbench → webview host → fake.html).
    let frame;
    const deadline = Date.now() + 60000;
    while (!frame && Date.now() < deadline) {
      for (const f of page.frames()) {
        if (!f.url().includes('fake.html')) continue;
        const status = await f.evaluate(() => document.getElementById('app')?.dataset.status).catch(() => undefined);
        if (status === 'rendered') frame = f;
      }
      if (!frame) await page.waitForTimeout(250);
    }
    check('the inspector opened from the command palette and rendered', !!frame);
    if (frame) {
      const canvases = await frame.locator('.maps canvas').count();
      check('it draws 4 head maps and the union', canvases === 5, `${canvases} canvases`);
      const stats = await frame.locator('.stats').innerText();
      check('it shows the statistics of n=256, l=32, c=4, 4 distinct sub-blocks', /18,560/.test(stats), stats);
      // The shipped webview bundle's gpu.js kernels, on each backend, checked against float64 in the page.
      for (const [backend, kernel] of [['webgl2', 'WebGL2Kernel'], ['webgpu', 'WebGPUKernel'], ['webasm', 'WebAssemblyKernel']]) {
        setMachineSetting(server, 'sparseAttention.computeBackend', backend);
        const line = await waitForStatus(frame, new RegExp(`^Attention: ${backend} \\(${kernel}\\) in [\\d.]+ ms; set by sparseAttention.computeBackend; \\d+ rows match float64`));
        check(`the packaged webview computes on ${backend} (${kernel}) and matches float64`, !!line.ok, line.text);
      }
    }
    if (frame) {
      // Load Checkpoint… as a user does it: the palette, the model from the Hugging Face cache, layer 1, the text offered.
      await runFromPalette(page, 'Sparse Attention: Load Checkpoint…');
      await answerQuickInput(page, { title: 'Load Checkpoint' }, 'tiny/gpt2', 'tiny/gpt2');
      await answerQuickInput(page, { title: 'Layer' }, '1');
      await answerQuickInput(page, { title: 'Text to run through the model' });
      const coverage = await waitForCoverage(page, frame, 'GPT2LMHeadModel, layer 1: ');
      check('Load Checkpoint… from the Hugging Face cache runs the shipped model worker and shows the coverage of layer 1', /^GPT2LMHeadModel, layer 1: /.test(coverage), coverage);
      const legend = await frame.locator('body').innerText();
      check('the inspector names the model and the layer', /GPT2LMHeadModel/.test(legend) && /layer 1/.test(legend), legend.slice(0, 400));
    }
    if (frame) {
      try {
        // An architecture the forward pass does not run: the user names the layer's projections, the
        // head count and direction, and picks the layer's input (.npy) in VS Code's file dialog.
        await runFromPalette(page, 'Sparse Attention: Load Checkpoint…');
        await answerQuickInput(page, { title: 'Load Checkpoint' }, 'tiny/distilbert', 'tiny/distilbert');
        await answerQuickInput(page, { title: 'Layer' }, '1');
        await answerQuickInput(page, { title: 'Text to run through the model' }, fs.readFileSync(path.join(ROOT, 'test/fixtures/models/text.txt'), 'utf8'));
        await answerQuickInput(page, { title: 'unknown architecture, layer 1' }, 'Separate', 'Separate Q, K and V tensors');
        const input = path.join(ROOT, 'test/fixtures/models/expected/distilbert-layer1-input.npy');
        await answerQuickInput(page, { title: "the layer's input [21, d]", button: 'Use as the layer input', prefilled: true }, input);
        const at = 'distilbert.transformer.layer.1.attention.';
        for (const [role, name] of [['Q', 'q_lin'], ['K', 'k_lin'], ['V', 'v_lin']]) {
          await answerQuickInput(page, { placeholder: `the ${role} projection of layer 1` }, `${at}${name}.weight`, `${at}${name}.weight`);
        }
        await answerQuickInput(page, { placeholder: 'How many attention heads' }, '4 heads', '4 heads');
        await answerQuickInput(page, { placeholder: 'Which way does the model attend' }, 'Bidirectional', 'Bidirectional');
        const coverage = await waitForCoverage(page, frame, 'DistilBertForMaskedLM, layer 1: ');
        check('Load Checkpoint… on an unknown architecture: picked projections, heads, direction and layer input give the coverage of layer 1', coverage.startsWith('DistilBertForMaskedLM, layer 1: '), coverage);
        // The user said the model attends both ways: the pattern does too, so no note asks for it.
        check('the pattern turns bidirectional with the model', !/attends both ways/.test(coverage) && (await frame.getByLabel('Bidirectional').isChecked()), coverage);
      } catch (e) {
        // The step that timed out, and what the window showed then.
        fs.mkdirSync(path.dirname(SHOT), { recursive: true });
        await page.screenshot({ path: path.join(path.dirname(SHOT), 'packaged-unknown-failure.png') }).catch(() => undefined);
        check('Load Checkpoint… on an unknown architecture', false, String(e.message).split('\n')[0]);
      }
    }
    await page.waitForTimeout(500);
    fs.mkdirSync(path.dirname(SHOT), { recursive: true });
    await page.screenshot({ path: SHOT });
    console.log(`[packaged] screenshot ${path.relative(ROOT, SHOT)}`);
  } finally {
    await browser.close();
    await server.stop();
    fs.rmSync(hubCache, { recursive: true, force: true });
  }
}

const timer = setTimeout(() => {
  console.log('[packaged] timed out');
  console.log(`${results.filter(Boolean).length} passed, ${results.filter((r) => !r).length + 1} failed`);
  process.exit(1);
}, TIMEOUT_MS);

main()
  .catch((e) => {
    console.error(e);
    results.push(false);
  })
  .finally(() => {
    clearTimeout(timer);
    const failed = results.filter((r) => !r).length;
    console.log(`${results.length - failed} passed, ${failed} failed`);
    process.exitCode = failed ? 1 : 0;
  });
