import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsNumber, IsOptional, Max, Min } from 'class-validator';

export const MAX_DELAY_SECONDS = 10;

/** Decimal text (`1`, `0.5`, `1e-3`) to a number; anything else (``, ` 1`, `0x10`, `Infinity`) stays text and fails. */
const DECIMAL_TEXT = /^-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?$/;
const toNumber = ({ value }: { value: unknown }) =>
  typeof value === 'string' && DECIMAL_TEXT.test(value) ? Number(value) : value;

export class SimulateSlowQuery {
  @ApiPropertyOptional({
    type: 'number',
    minimum: 0,
    maximum: MAX_DELAY_SECONDS,
    default: 1,
    description: 'seconds to wait',
  })
  @IsOptional()
  @Transform(toNumber)
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'delay must be a number of seconds' })
  @Min(0, { message: 'delay must be at least 0' })
  @Max(MAX_DELAY_SECONDS, { message: `delay must be at most ${MAX_DELAY_SECONDS} seconds` })
  delay: number = 1;
}
