import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsNumber, IsOptional, Max, Min } from 'class-validator';

export const MAX_DELAY_SECONDS = 10;

export class SimulateSlowQuery {
  @ApiPropertyOptional({ minimum: 0, maximum: MAX_DELAY_SECONDS, default: 1, description: 'seconds to wait' })
  @IsOptional()
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'delay must be a number of seconds' })
  @Min(0, { message: 'delay must be at least 0' })
  @Max(MAX_DELAY_SECONDS, { message: `delay must be at most ${MAX_DELAY_SECONDS} seconds` })
  delay: number = 1;
}
