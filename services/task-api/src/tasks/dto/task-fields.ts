import { Transform } from 'class-transformer';
import { IsBoolean, IsString, ValidateBy, ValidateIf } from 'class-validator';
import { codePointLength, unstorableText } from '../../common/text.js';
import { DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH } from '../task.schema.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
// `null` is a value, not an absence: it must fail the type check rather than be skipped.
const present = (_object: object, value: unknown) => value !== undefined;

/** Text the database stores exactly as sent (see common/text.ts), else "<field> must not contain …". */
function StorableText(field: string): PropertyDecorator {
  return ValidateBy({
    name: 'isStorableText',
    validator: {
      validate: (value: unknown) => typeof value !== 'string' || unstorableText(value) === undefined,
      defaultMessage: (args) => `${field} ${unstorableText(String(args?.value)) ?? 'is not storable text'}`,
    },
  });
}

/** A length in Unicode code points, the one definition the database constraints share. */
function CodePointLength(min: number, max: number, message: string): PropertyDecorator {
  return ValidateBy({
    name: 'codePointLength',
    validator: {
      validate: (value: unknown) => {
        if (typeof value !== 'string') return true;
        const length = codePointLength(value);
        return length >= min && length <= max;
      },
      defaultMessage: () => message,
    },
  });
}

/** title: required on create, trimmed, 1–200 characters (code points), storable. */
export function TitleField(): PropertyDecorator {
  return (target, key) => {
    Transform(trim)(target, key);
    IsString({ message: 'title must be a string' })(target, key);
    StorableText('title')(target, key);
    CodePointLength(
      1,
      TITLE_MAX_LENGTH,
      `title must be 1 to ${TITLE_MAX_LENGTH} characters after trimming`,
    )(target, key);
  };
}

/** description: optional, at most 10,000 characters (code points), stored verbatim. */
export function DescriptionField(): PropertyDecorator {
  return (target, key) => {
    ValidateIf(present)(target, key);
    IsString({ message: 'description must be a string' })(target, key);
    StorableText('description')(target, key);
    CodePointLength(
      0,
      DESCRIPTION_MAX_LENGTH,
      `description must be at most ${DESCRIPTION_MAX_LENGTH} characters`,
    )(target, key);
  };
}

/** completed: optional boolean (true or false, not "true"). */
export function CompletedField(): PropertyDecorator {
  return (target, key) => {
    ValidateIf(present)(target, key);
    IsBoolean({ message: 'completed must be a boolean' })(target, key);
  };
}

/** Marks a field optional on updates while keeping `null` an error. */
export function OptionalField(): PropertyDecorator {
  return ValidateIf(present);
}
