// Every value a `lab` option takes is parsed here, the same way for every command: numbers with a
// range, comma-separated names (checked against their choices), repeatable values, http(s) URLs and
// listen addresses. A bad value is a usage error (exit 2) that names the option, says what it takes
// and repeats what it got. The factories take the option's flags so the name is written once.
import { Option } from 'commander';
import { LabError, USAGE_EXIT_CODE } from '../lab.error.js';

/** A usage error: `lab: <message>` (and `  → <hint>`), exit code 2. */
export function usageError(message: string, hint?: string): LabError {
  return new LabError(message, hint, USAGE_EXIT_CODE);
}

/** What a number option accepts. Without `min` the number must be above 0. */
export interface NumberRule {
  /** Whole numbers only. */
  readonly integer?: boolean;
  /** Inclusive lower bound. */
  readonly min?: number;
  /** Inclusive upper bound. */
  readonly max?: number;
  /** The unit, for the message: `seconds`, `GiB`. */
  readonly unit?: string;
}

/** A positive number of seconds (timeouts, waits). */
export const seconds: NumberRule = { unit: 'seconds' };
/** A whole number of at least 1 (counts, sizes). */
export const atLeastOne: NumberRule = { integer: true, min: 1 };
/** A TCP port. */
export const tcpPort: NumberRule = { integer: true, min: 1, max: 65535 };

/** The rule in words: "a positive number of seconds", "a whole number from 0 to 100". */
export function describeNumber(rule: NumberRule): string {
  const { integer = false, min, max, unit } = rule;
  const kind = integer ? 'whole number' : 'number';
  const range =
    min !== undefined && max !== undefined
      ? `a ${kind} from ${min} to ${max}`
      : min !== undefined
        ? `a ${kind} of at least ${min}`
        : max !== undefined
          ? `a positive ${kind} of at most ${max}`
          : `a positive ${kind}`;
  return unit ? `${range} of ${unit}` : range;
}

/** Parses `value` as `flag`'s number, or throws a usage error naming `flag`. */
export function parseNumber(flag: string, rule: NumberRule, value: string): number {
  const number = value.trim() === '' ? Number.NaN : Number(value);
  const { integer = false, min, max } = rule;
  const fits =
    Number.isFinite(number) &&
    (!integer || Number.isInteger(number)) &&
    (min === undefined ? number > 0 : number >= min) &&
    (max === undefined || number <= max);
  if (!fits) throw usageError(`${flag} must be ${describeNumber(rule)}, got "${value}"`);
  return number;
}

/** Splits a comma-separated list; with `choices`, every name must be one of them and one at least given. */
export function parseNames<Name extends string>(
  flag: string,
  value: string,
  choices?: { readonly noun: string; readonly names: readonly Name[] },
): Name[] {
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  if (!choices) return names as Name[];
  const unknown = names.filter((name) => !(choices.names as readonly string[]).includes(name));
  if (unknown.length > 0 || names.length === 0)
    throw usageError(
      `${flag}: unknown ${choices.noun}(s): ${unknown.join(', ') || '(none given)'}`,
      `choose from ${choices.names.join(', ')}`,
    );
  return names as Name[];
}

/** An http(s) URL. */
export function parseHttpUrl(flag: string, value: string): URL {
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url;
  } catch {
    // reported below
  }
  throw usageError(`${flag}: not an http(s) URL: ${value}`, `e.g. ${flag} http://192.168.122.250:8080`);
}

/** A listen address, `host:port` (`:0`: any free port on every interface), or `off` (`false`). */
export function parseListenAddress(flag: string, value: string): { host: string; port: number } | false {
  if (value === 'off') return false;
  const match = /^(.*):(\d{1,5})$/.exec(value);
  const port = Number(match?.[2]);
  if (!match || port > 65535)
    throw usageError(`${flag} "${value}": use host:port (e.g. 127.0.0.1:8080, :0 for any free port) or off`);
  return { host: match[1] || '0.0.0.0', port };
}

/** `--flag <n>` parsed with `rule`. */
export function numberOption(flags: string, description: string, rule: NumberRule): Option {
  const option = new Option(flags, description);
  return option.argParser((value: string) => parseNumber(nameOf(option), rule, value));
}

/** `--flag <a,b>`: a comma-separated list, checked against `choices` when given. */
export function namesOption<Name extends string>(
  flags: string,
  description: string,
  choices?: { readonly noun: string; readonly names: readonly Name[] },
): Option {
  const option = new Option(flags, description);
  return option.argParser((value: string) => parseNames(nameOf(option), value, choices));
}

/** `--flag <value>` that may be given more than once; the values in order. */
export function repeatableOption(flags: string, description: string): Option {
  return new Option(flags, description)
    .default([])
    .argParser((value: string, previous: string[]) => [...previous, value]);
}

/** `--flag <url>`: an http(s) URL. */
export function urlOption(flags: string, description: string): Option {
  const option = new Option(flags, description);
  return option.argParser((value: string) => parseHttpUrl(nameOf(option), value));
}

/** `--flag <host:port>`: checked here, kept as given (the default is a string too). */
export function listenAddressOption(flags: string, description: string): Option {
  const option = new Option(flags, description);
  return option.argParser((value: string) => (parseListenAddress(nameOf(option), value), value));
}

function nameOf(option: Option): string {
  return option.long ?? option.short ?? option.flags;
}
