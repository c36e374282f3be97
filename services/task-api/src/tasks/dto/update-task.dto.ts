import { ApiPropertyOptional } from '@nestjs/swagger';
import { DESCRIPTION_DOC, TITLE_DOC } from './create-task.dto.js';
import { CompletedField, DescriptionField, OptionalField, TitleField } from './task-fields.js';

/** A partial update: any of the fields, at least one. */
export class UpdateTaskDto {
  @ApiPropertyOptional(TITLE_DOC)
  @OptionalField()
  @TitleField()
  title?: string;

  @ApiPropertyOptional(DESCRIPTION_DOC)
  @DescriptionField()
  description?: string;

  @ApiPropertyOptional()
  @CompletedField()
  completed?: boolean;
}
