import { Transform } from 'class-transformer';
import { IsBoolean, IsString, Length, MaxLength, ValidateIf } from 'class-validator';
import { DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH } from '../task.schema.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
// `null` is a value, not an absence: it must fail the type check rather than be skipped.
const present = (_object: object, value: unknown) => value !== undefined;

/** title: required on create, trimmed, 1–200 characters. */
export function TitleField(): PropertyDecorator {
  return (target, key) => {
    Transform(trim)(target, key);
    IsString({ message: 'title must be a string' })(target, key);
    Length(1, TITLE_MAX_LENGTH, {
      message: `title must be 1 to ${TITLE_MAX_LENGTH} characters after trimming`,
    })(target, key);
  };
}

/** description: optional, at most 10,000 characters, stored verbatim. */
export function DescriptionField(): PropertyDecorator {
  return (target, key) => {
    ValidateIf(present)(target, key);
    IsString({ message: 'description must be a string' })(target, key);
    MaxLength(DESCRIPTION_MAX_LENGTH, {
      message: `description must be at most ${DESCRIPTION_MAX_LENGTH} characters`,
    })(target, key);
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
