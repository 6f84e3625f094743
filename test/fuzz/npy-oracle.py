"""NumPy's verdict for the .npy fuzzer (test/fuzz/fuzz-npy.js).

  seeds DIR       writes valid seed files with NumPy: masks from DIR/pattern.npy (written by our
                  CLI) in several dtypes, orders and format versions, and Q/K/V for attend.
  judge DIR LIST  for each file in LIST (JSON), np.load(path, allow_pickle=False) is the oracle:
                  accepted or not, dtype.str, shape, a hash of the values in C order, and for
                  the files attend reads, the attention output a user would expect from NumPy's
                  reading of q (masked softmax in float64 with the pattern's mask).
Run with /usr/bin/python3 (Debian's NumPy).
"""
import ast, hashlib, json, os, re, struct, sys, warnings
import numpy as np
from numpy.lib import format as npformat


def write(path, array, version=None):
    with open(path, 'wb') as f:
        if version is None:
            np.save(f, array)
        else:
            npformat.write_array(f, array, version=version)


def seeds(folder):
    mask = np.load(os.path.join(folder, 'pattern.npy')).astype(bool)
    heads, n, _ = mask.shape
    rng = np.random.default_rng(7)
    q, k, v = (rng.standard_normal((heads, n, 8)).astype(np.float32) for _ in range(3))
    np.save(os.path.join(folder, 'k.npy'), k)
    np.save(os.path.join(folder, 'v.npy'), v)
    out = []
    def seed(name, array, role, version=None):
        write(os.path.join(folder, name), array, version)
        out.append({'name': name, 'role': role})
    seed('mask-b1.npy', mask, 'mask')
    seed('mask-u1.npy', mask.astype(np.uint8), 'mask')
    seed('mask-i8.npy', mask.astype(np.int64), 'mask')
    seed('mask-fortran.npy', np.asfortranarray(mask), 'mask')
    seed('mask-v2.npy', mask.astype(np.uint8), 'mask', (2, 0))
    seed('mask-v3.npy', mask, 'mask', (3, 0))
    seed('q-f4.npy', q, 'q')
    seed('q-f8.npy', q.astype(np.float64), 'q')
    seed('q-f2.npy', q.astype(np.float16), 'q')
    seed('q-big-endian.npy', q.astype('>f4'), 'q')
    seed('q-fortran.npy', np.asfortranarray(q), 'q')
    seed('q-v3.npy', q, 'q', (3, 0))
    json.dump(out, sys.stdout)


def raw_header(path):
    with open(path, 'rb') as f:
        version = npformat.read_magic(f)
        length_type, encoding = {(1, 0): ('<H', 'latin1'), (2, 0): ('<I', 'latin1'), (3, 0): ('<I', 'utf8')}[version]
        header = f.read(struct.unpack(length_type, f.read(struct.calcsize(length_type)))[0]).decode(encoding)
    return ast.literal_eval(npformat._filter_header(header) if version <= (2, 0) else header)


def numpy2_reads(path):
    """For NumPy 1.x refusing a file: whether only its descr, intp's code 'n'/'N' (new in NumPy 2),
    was the reason."""
    try:
        d = raw_header(path)
        descr = d['descr']
        return isinstance(descr, str) and descr.lstrip('<>=|') in ('n', 'N') and len(descr) <= 2
    except Exception:
        return False


def numpy2_refuses(path):
    """For NumPy 1.x: whether NumPy 2 refuses what 1.x read (a negative dimension; a descr with a
    trailing comma, which NumPy 2 reads as a structured type; spellings NumPy 2 removed)."""
    if not LEGACY:
        return False
    d = raw_header(path)
    # NumPy 1.x read everything for a negative product and inferred the negative dimension;
    # NumPy 2 needs the (wrapping int64) product to equal what it read.
    if any(x < 0 for x in d['shape']) and int(np.multiply.reduce(d['shape'], dtype=np.int64)) < 0:
        return True
    from numpy.core._internal import format_re
    descr = d['descr']
    # Spellings NumPy 2 removed: type names, and one-character codes that were type numbers.
    if isinstance(descr, str) and (descr in ('bool8', 'int0', 'uint0', 'float_') or (len(descr) == 1 and (descr < ' ' or descr in 'nN'))):
        return True
    comma_string = isinstance(descr, str) and (
        ',' in descr or descr[:1].isdigit() or (descr[:1] in ('<', '>', '=', '|') and descr[1:2].isdigit()) or descr.lstrip('<>=|').startswith('()'))
    if comma_string:
        mo = format_re.match(descr)
        if mo.end() < len(descr) and not descr[mo.end():].isspace():
            return True
        # A subarray of '1f4' (NumPy 1.x's plain float32, NumPy 2's subarray): nested, refused.
        return mo.group(2) != '' and mo.group(4)[:1].isdigit()
    return False


LEGACY = int(np.__version__.split('.')[0]) < 2


def values_hash(a):
    with np.errstate(all='ignore'):
        x = np.ascontiguousarray(a).astype('<f8')
    x[np.isnan(x)] = np.nan  # one NaN bit pattern, as the JS side writes
    return hashlib.sha1(x.tobytes()).hexdigest()


def attention(q, k, v, mask):
    scores = np.einsum('hid,hjd->hij', q, k) / np.sqrt(q.shape[-1])
    scores = np.where(mask, scores, -np.inf)
    top = scores.max(axis=-1, keepdims=True)
    top[~np.isfinite(top)] = 0
    weights = np.exp(scores - top)
    total = weights.sum(axis=-1, keepdims=True)
    return np.einsum('hij,hjd->hid', weights / np.where(total == 0, 1, total), v)


def judge(folder, listing):
    mask = np.load(os.path.join(folder, 'pattern.npy')).astype(bool)
    k = np.load(os.path.join(folder, 'k.npy')).astype(np.float64)
    v = np.load(os.path.join(folder, 'v.npy')).astype(np.float64)
    for entry in json.load(open(listing)):
        verdict = {'name': entry['name']}
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter('always')
                a = np.load(os.path.join(folder, entry['name']), allow_pickle=False)
            verdict.update(ok=True, dtype=a.dtype.str, kind=a.dtype.kind, shape=list(a.shape),
                           plain=a.dtype.fields is None and a.dtype.subdtype is None,
                           warned=[str(w.category.__name__) for w in caught],
                           numpy2Refuses=numpy2_refuses(os.path.join(folder, entry['name'])))
            if verdict['plain'] and a.dtype.kind in 'biuf' and a.dtype.itemsize <= 8:
                verdict['hash'] = values_hash(a)
                if entry['role'] == 'mask' and a.shape == mask.shape:
                    verdict['identical'] = bool(np.array_equal(a != 0, mask))
                    verdict['zeroOne'] = bool(np.isin(a, [0, 1]).all())
                if entry['role'] == 'q' and a.shape == k.shape and a.dtype.kind == 'f':
                    with np.errstate(all='ignore'):
                        q32 = a.astype(np.float32)
                    verdict['finite'] = bool(np.isfinite(q32).all())
                    if verdict['finite']:
                        verdict['out'] = attention(q32.astype(np.float64), k, v, mask).ravel().tolist()
        except Exception as e:  # every refusal NumPy makes, whatever its type
            verdict.update(ok=False, error=f'{type(e).__name__}: {e}'[:200],
                           numpy2Reads=LEGACY and numpy2_reads(os.path.join(folder, entry['name'])))
        print(json.dumps(verdict))


if __name__ == '__main__':
    if sys.argv[1] == 'seeds':
        seeds(sys.argv[2])
    else:
        judge(sys.argv[2], sys.argv[3])
