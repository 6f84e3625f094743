/**
 * The registry, table-driven: every preset's spec is complete and every consumer reads it the
 * same way: defaults valid, each parameter's CLI flag and bounds (refused with a message naming
 * it, tied to its field), the protocol's shape check and the form's fields.
 */
import { strict as assert } from 'assert';
import { buildPattern, defaultConfig, PATTERN_NAMES, PatternConfig, patternSpec, validateConfig } from '../../src/core';
import { configFromFlags, parseFlags, ALL_PATTERN_FLAGS } from '../../src/cli/args';
import { isPatternConfig } from '../../src/protocol';
import { fieldsFor } from '../../webview/fields';

describe('pattern registry: one spec per preset, read by every consumer', () => {
  it("package.json's defaultPattern setting offers exactly the registered presets", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const manifest = require('../../package.json');
    assert.deepEqual(manifest.contributes.configuration.properties['sparseAttention.defaultPattern'].enum, [...PATTERN_NAMES]);
  });

  it('lists every preset once, each named as its key, with valid defaults that build', () => {
    assert.equal(new Set(PATTERN_NAMES).size, PATTERN_NAMES.length);
    for (const name of PATTERN_NAMES) {
      const spec = patternSpec(name);
      assert.equal(spec.name, name);
      assert.equal(spec.defaults.pattern, name);
      assert.deepEqual(validateConfig(defaultConfig(name)), [], name);
      assert.equal(buildPattern(defaultConfig(name)).heads.length, spec.defaults.heads);
      assert.ok(spec.summary.length > 20, `${name} says what it is`);
      assert.equal(Boolean(spec.layout), Boolean(buildPattern(defaultConfig(name)).layout), `${name}: layout flag matches what it builds`);
    }
  });

  for (const name of PATTERN_NAMES) {
    describe(name, () => {
      const spec = patternSpec(name);
      const defaults = defaultConfig(name) as unknown as Record<string, unknown>;

      it('every parameter is a field of the config, with a label, a CLI flag and the Python keywords the peers use', () => {
        assert.ok(spec.params.some((p) => p.key === 'n') && spec.params.some((p) => p.key === 'heads'));
        assert.equal(new Set(spec.params.map((p) => p.flag)).size, spec.params.length, 'flags unique');
        for (const param of spec.params) {
          assert.ok(param.key in defaults, `${param.key} in the defaults`);
          assert.ok(param.label && param.flag && param.python.length > 0, param.key);
          assert.ok(ALL_PATTERN_FLAGS.includes(param.flag), `--${param.flag} is a CLI flag`);
        }
      });

      it('the CLI reads every parameter from its flag', () => {
        // Every flag given a non-default value: the config holds exactly those values.
        const argv = ['--pattern', name];
        const expected: Record<string, unknown> = { ...defaults };
        for (const param of spec.params) {
          const value = defaults[param.key];
          if (param.kind === 'boolean') {
            if (!value) argv.push(`--${param.flag}`);
            expected[param.key] = true;
          } else if (param.kind === 'choice') {
            const other = param.options!.find((o) => o !== value)!;
            argv.push(`--${param.flag}`, other);
            expected[param.key] = other;
          } else if (param.kind === 'integers') {
            argv.push(`--${param.flag}`, '3,5');
            expected[param.key] = [3, 5];
          } else {
            argv.push(`--${param.flag}`, String((value as number) + 1));
            expected[param.key] = (value as number) + 1;
          }
        }
        assert.deepEqual(configFromFlags(parseFlags(argv, [...ALL_PATTERN_FLAGS])), expected);
      });

      it("each parameter's bounds are refused with a message naming it, on its field", () => {
        for (const param of spec.params) {
          const bad: unknown[] =
            param.kind === 'boolean' ? ['yes'] : param.kind === 'choice' ? ['sideways'] : param.kind === 'integers' ? [[(param.min ?? 0) - 1], [1.5]] : [1.5, ...(param.min !== undefined ? [param.min - 1] : [])];
          for (const value of bad) {
            const issues = validateConfig({ ...defaults, [param.key]: value } as unknown as PatternConfig);
            const issue = issues.find((i) => i.field === param.key);
            assert.ok(issue, `${name}.${param.key} = ${JSON.stringify(value)} refused: ${JSON.stringify(issues)}`);
            assert.ok(param.refusal ? issue.message === param.refusal : issue.message.startsWith(param.name ?? param.key), issue.message);
          }
        }
      });

      it('the protocol checks the shape of every parameter; the form shows every parameter', () => {
        assert.ok(isPatternConfig(defaults));
        for (const param of spec.params) {
          const wrong = param.kind === 'integer' || param.kind === 'integers' ? 'many' : 7;
          assert.equal(isPatternConfig({ ...defaults, [param.key]: wrong }), false, `${param.key}: ${wrong}`);
        }
        assert.deepEqual(
          fieldsFor(name).map((f) => f.key),
          ['pattern', ...spec.params.map((p) => p.key)],
        );
      });
    });
  }
});
