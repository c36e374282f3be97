import { Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';

/** An integer as the API accepts it in a query or a path: canonical decimal digits, no sign but `-`. */
export const INTEGER_TEXT = /^-?(0|[1-9]\d*)$/;

/**
 * Converts canonical decimal text (`0`, `42`, `-1`) to a number and leaves anything else (`1e3`,
 * `0x10`, `1.0`, ` 1`, `01`, `''`) as text, so that the integer check names the field. Numbers
 * beyond 2^53 stay numbers and fail the maximum.
 */
const toInteger = ({ value }: { value: unknown }) =>
  typeof value === 'string' && INTEGER_TEXT.test(value) ? Number(value) : value;

/** A query parameter holding an integer from `min` to `max`, each bad value a 400 naming `name`. */
export function IntegerQuery(name: string, min: number, max: number): PropertyDecorator {
  return (target, key) => {
    Transform(toInteger)(target, key);
    IsInt({ message: `${name} must be an integer` })(target, key);
    Min(min, { message: `${name} must be at least ${min}` })(target, key);
    Max(max, { message: `${name} must be at most ${max}` })(target, key);
  };
}
