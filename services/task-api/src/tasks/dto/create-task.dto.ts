import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { NO_NUL_PATTERN, trimmedTextPattern } from '../../common/text.js';
import { DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH } from '../task.schema.js';
import { CompletedField, DescriptionField, TitleField } from './task-fields.js';

/** The title as the document states it: the pattern is the validators' rule (trimmed length, no NUL). */
export const TITLE_DOC = {
  type: String,
  pattern: trimmedTextPattern(TITLE_MAX_LENGTH),
  description: `1 to ${TITLE_MAX_LENGTH} characters (Unicode code points) after trimming whitespace; no NUL; stored trimmed`,
} as const;

export const DESCRIPTION_DOC = {
  type: String,
  maxLength: DESCRIPTION_MAX_LENGTH,
  pattern: NO_NUL_PATTERN,
  description: `at most ${DESCRIPTION_MAX_LENGTH} characters (Unicode code points); no NUL; stored verbatim`,
} as const;

export class CreateTaskDto {
  @ApiProperty({ ...TITLE_DOC, example: 'Read the SRE book' })
  @TitleField()
  title!: string;

  @ApiPropertyOptional({ ...DESCRIPTION_DOC, default: '' })
  @DescriptionField()
  description?: string;

  @ApiPropertyOptional({ default: false })
  @CompletedField()
  completed?: boolean;
}
