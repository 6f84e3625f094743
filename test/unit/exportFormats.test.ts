import { strict as assert } from 'assert';
import { defaultConfig } from '../../src/core';
import { defaultExportName, EXPORT_FORMATS } from '../../src/extension/exportFormats';

describe('export file names', () => {
  it('each format proposes its own file name, so one export never overwrites another by default', () => {
    const config = { ...defaultConfig('fixed'), n: 512 };
    const names = EXPORT_FORMATS.map((f) => defaultExportName(config, f));
    assert.equal(new Set(names).size, names.length, names.join(', '));
    assert.equal(defaultExportName(config, 'mask-npy'), 'fixed-n512-mask.npy');
    assert.equal(defaultExportName(config, 'probs-npy'), 'fixed-n512-probs.npy');
  });
});
