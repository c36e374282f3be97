import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH } from '../task.schema.js';
import { CompletedField, DescriptionField, TitleField } from './task-fields.js';

export class CreateTaskDto {
  @ApiProperty({ minLength: 1, maxLength: TITLE_MAX_LENGTH, example: 'Read the SRE book' })
  @TitleField()
  title!: string;

  @ApiPropertyOptional({ maxLength: DESCRIPTION_MAX_LENGTH, default: '' })
  @DescriptionField()
  description?: string;

  @ApiPropertyOptional({ default: false })
  @CompletedField()
  completed?: boolean;
}
