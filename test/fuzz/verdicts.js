// The fuzzer's judgement of one file: our reader and CLI against NumPy's verdict (npy-oracle.py).
'use strict';
const { createHash } = require('crypto');

/** The hash npy-oracle.py makes of an array's values: float64 in C order, every NaN the same NaN. */
function valuesHash(values) {
  for (let k = 0; k < values.length; k++) if (Number.isNaN(values[k])) values[k] = NaN;
  return createHash('sha1').update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength)).digest('hex');
}

const clean = (cli) => cli.code === 2 && cli.err.length === 1 && /^sparse-attn \w+: /.test(cli.err[0]) && !/\n\s+at /.test(cli.err[0]);
const sameShape = (a, b) => a.length === b.length && a.every((x, k) => x === b[k]);

/** What the CLI should do with a file NumPy read as `np`; returns a problem or undefined. */
function expectCli(role, np, cli, out) {
  if (role === 'mask') {
    if (sameShape(np.shape, [2, 16, 16])) {
      const expected = np.kind === 'f' || !np.zeroOne ? 2 : np.identical ? 0 : 1;
      if (cli.code !== expected || (expected === 2 && !clean(cli))) return `diff exited ${cli.code} (${cli.err.join(' | ')}), expected ${expected}`;
      return undefined;
    }
    // One head ([16, 16] or [1, 16, 16]) is compared with every head: a verdict, not a refusal.
    const oneHead = np.shape.length >= 2 && np.shape.length <= 3 && np.shape.slice(-2).every((x) => x === 16) && (np.shape.length === 2 || np.shape[0] === 1);
    if (oneHead && (cli.code === 0 || cli.code === 1)) return undefined;
    return clean(cli) ? undefined : `diff on shape [${np.shape}] did not refuse cleanly: exit ${cli.code} ${cli.err.join(' | ')}`;
  }
  if (np.kind === 'f' && sameShape(np.shape, [2, 16, 8]) && np.finite) {
    if (cli.code !== 0) return `attend exited ${cli.code} (${cli.err.join(' | ')}) on a file NumPy reads as finite [2, 16, 8]`;
    const worst = out.reduce((w, x, k) => Math.max(w, Math.abs(x - np.out[k]) / (1 + Math.abs(np.out[k]))), 0);
    return worst > 1e-4 ? `attend output differs from attention over NumPy's reading by ${worst.toExponential(2)}` : undefined;
  }
  return clean(cli) ? undefined : `attend did not refuse cleanly: exit ${cli.code} ${cli.err.join(' | ')}`;
}

function compare(file, np, ours) {
  if (ours.problem) return { category: ours.problem.split(' ')[0], problem: `${ours.problem} ${ours.stderr ?? ''}`.trim() };
  if (ours.cli.code === 'threw' || ![0, 1, 2].includes(ours.cli.code)) return { category: 'crash', problem: `CLI: ${ours.cli.err.join(' | ')}` };
  const decoded = ours.decoded;
  if (!np.ok) {
    if (np.numpy2Reads && decoded.ok) return { category: "NumPy 1.x refuses intp's code n, NumPy 2 reads it: so do we" };
    if (decoded.ok) return { category: 'disagreement', problem: `NumPy refuses (${np.error}) but we read ${decoded.dtype} [${decoded.shape}]` };
    if (!decoded.npyError) return { category: 'crash', problem: `reader threw ${decoded.error}` };
    return clean(ours.cli) ? { category: 'both refuse' } : { category: 'disagreement', problem: `NumPy refuses, CLI exit ${ours.cli.code}: ${ours.cli.err.join(' | ')}` };
  }
  if (np.numpy2Refuses) {
    return !decoded.ok && clean(ours.cli)
      ? { category: 'NumPy 1.x reads, NumPy 2 refuses: so do we' }
      : { category: 'disagreement', problem: `NumPy 2 refuses what NumPy ${np.dtype} [${np.shape}] 1.x read; we read it` };
  }
  const supported = np.plain && 'biuf'.includes(np.kind) && np.hash !== undefined;
  if (!decoded.ok) {
    if (!supported && /has dtype/.test(decoded.error) && clean(ours.cli)) return { category: 'NumPy reads, a dtype we do not (refused by name)' };
    if (np.warned.length && clean(ours.cli)) return { category: `NumPy reads only with a ${np.warned[0]}` };
    return { category: 'disagreement', problem: `NumPy reads ${np.dtype} [${np.shape}], we refuse: ${decoded.error}` };
  }
  if (!supported) return { category: 'disagreement', problem: `we read ${decoded.dtype}, NumPy reads ${np.dtype} (kind ${np.kind})` };
  if (decoded.dtype !== np.dtype || !sameShape(decoded.shape, np.shape) || decoded.hash !== np.hash) {
    return { category: 'disagreement', problem: `NumPy ${np.dtype} [${np.shape}] vs ours ${decoded.dtype} [${decoded.shape}]${decoded.hash !== np.hash ? ', values differ' : ''}` };
  }
  const cliProblem = expectCli(file.role, np, ours.cli, ours.out);
  return cliProblem ? { category: 'disagreement', problem: cliProblem } : { category: 'both read (same dtype, shape, values)' };
}

module.exports = { compare, valuesHash };
