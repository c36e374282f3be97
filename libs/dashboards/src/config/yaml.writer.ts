/** A value {@link toYaml} can write: the JSON data model. */
export type YamlValue =
  string | number | boolean | null | readonly YamlValue[] | { readonly [key: string]: YamlValue };

const plainString = /^[A-Za-z_][A-Za-z0-9_.:/ -]*$/;
const reserved = /^(?:true|false|yes|no|on|off|null|~|y|n)$/i;

function scalar(value: string | number | boolean | null): string {
  if (value === null) return 'null';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`toYaml: cannot write the number ${value}`);
    return String(value);
  }
  if (typeof value === 'boolean') return String(value);
  if (plainString.test(value) && !reserved.test(value) && !value.endsWith(' ') && !value.includes(': '))
    return value;
  // A JSON string is a valid YAML double-quoted scalar.
  return JSON.stringify(value);
}

function isScalar(value: YamlValue): value is string | number | boolean | null {
  return value === null || typeof value !== 'object';
}

function lines(value: YamlValue, indent: string): string[] {
  if (isScalar(value)) return [indent + scalar(value)];
  if (Array.isArray(value)) {
    const items = value as readonly YamlValue[];
    if (items.length === 0) return [indent + '[]'];
    return items.flatMap((item) => {
      const [first = '', ...rest] = lines(item, indent + '  ');
      return [indent + '- ' + first.slice(indent.length + 2), ...rest];
    });
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return [indent + '{}'];
  return entries.flatMap(([key, item]) => {
    const name = scalar(key);
    if (typeof item === 'string' && item.includes('\n'))
      return [`${indent}${name}: |-`, ...item.split('\n').map((line) => (line ? `${indent}  ${line}` : ''))];
    if (isScalar(item) || (Array.isArray(item) && item.length === 0) || Object.keys(item).length === 0)
      return [`${indent}${name}: ${lines(item, '')[0] ?? ''}`];
    return [`${indent}${name}:`, ...lines(item, indent + '  ')];
  });
}

/**
 * Writes plain data as block-style YAML, deterministically (keys in insertion order). Strings that
 * YAML would read as something else are double-quoted; multi-line strings become literal blocks.
 * Enough for the rule files this library generates; not a general YAML library.
 */
export function toYaml(value: YamlValue): string {
  return lines(value, '').join('\n') + '\n';
}
