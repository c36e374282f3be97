import { isDeepStrictEqual } from 'node:util';

/**
 * Whether every field of `desired` has the same value in `observed` (fields the API server or other
 * managers added are ignored; arrays must match element by element). A false "different" only
 * costs one no-op apply; a false "same" cannot happen, so drift is always repaired.
 */
export function isSubset(desired: unknown, observed: unknown): boolean {
  if (Array.isArray(desired)) {
    return (
      Array.isArray(observed) &&
      desired.length === observed.length &&
      desired.every((item, index) => isSubset(item, observed[index]))
    );
  }
  if (desired !== null && typeof desired === 'object') {
    if (observed === null || typeof observed !== 'object' || Array.isArray(observed)) return false;
    const have = observed as Record<string, unknown>;
    return Object.entries(desired as Record<string, unknown>).every(
      ([key, value]) => value === undefined || (key in have && isSubset(value, have[key])),
    );
  }
  if (typeof desired === 'string' && typeof observed === 'string' && desired !== observed) {
    return sameQuantity(desired, observed);
  }
  return isDeepStrictEqual(desired, observed);
}

const quantityPattern = /^([+-]?[0-9]+(?:\.[0-9]+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;
const multipliers: Record<string, number> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/**
 * Whether two strings are the same Kubernetes quantity in different spellings: the API server
 * stores quantities in canonical form (`1000m` comes back as `1`).
 */
export function sameQuantity(a: string, b: string): boolean {
  const x = quantityPattern.exec(a);
  const y = quantityPattern.exec(b);
  if (!x || !y) return false;
  const value = (m: RegExpExecArray) => Number(m[1]) * multipliers[m[2] ?? '']!;
  return Math.abs(value(x) - value(y)) <= 1e-9 * Math.max(1, Math.abs(value(x)));
}
