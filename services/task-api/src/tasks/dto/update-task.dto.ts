import { ApiPropertyOptional } from '@nestjs/swagger';
import { DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH } from '../task.schema.js';
import { CompletedField, DescriptionField, OptionalField, TitleField } from './task-fields.js';

/** A partial update: any of the fields, at least one. */
export class UpdateTaskDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: TITLE_MAX_LENGTH })
  @OptionalField()
  @TitleField()
  title?: string;

  @ApiPropertyOptional({ maxLength: DESCRIPTION_MAX_LENGTH })
  @DescriptionField()
  description?: string;

  @ApiPropertyOptional()
  @CompletedField()
  completed?: boolean;
}
