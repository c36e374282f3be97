import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import YAML from 'yaml';
import { type YamlValue, toYaml } from './yaml.writer.js';

describe('toYaml', () => {
  it('writes data that a YAML parser reads back unchanged', () => {
    const data: YamlValue = {
      groups: [
        {
          name: 'slo-availability',
          rules: [
            { record: 'slo:sli_error:ratio_rate5m', expr: 'a\n/\nb', labels: { slo: 'availability' } },
            {
              alert: 'X',
              expr: 'vector(1) > 0.5',
              for: '2m',
              annotations: { summary: '{{ $labels.job }}: yes' },
            },
          ],
        },
      ],
      empty: [],
      nothing: {},
      words: ['true', 'no', 'null', '1.5', ' padded', 'a: b', '#hash', '*star', '"quoted"'],
      numbers: [0, 0.005, 14.4, -1],
      flags: [true, false, null],
    };
    assert.deepEqual(YAML.parse(toYaml(data)), data);
  });

  it('writes multi-line strings as literal blocks', () => {
    assert.equal(toYaml({ expr: 'a\nb' }), 'expr: |-\n  a\n  b\n');
  });

  it('refuses numbers YAML cannot hold', () => {
    assert.throws(() => toYaml({ n: Number.NaN }), /cannot write the number NaN/);
  });
});
