import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';

export const MAX_SMOKE_OPS = 10_000;
export const SMOKE_TYPES = ['read', 'write', 'rw'] as const;
export type SmokeType = (typeof SMOKE_TYPES)[number];

export class SmokeDbQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_SMOKE_OPS, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'ops must be an integer' })
  @Min(1, { message: 'ops must be at least 1' })
  @Max(MAX_SMOKE_OPS, { message: `ops must be at most ${MAX_SMOKE_OPS}` })
  ops: number = 100;

  @ApiPropertyOptional({ enum: SMOKE_TYPES, default: 'rw' })
  @IsOptional()
  @IsIn(SMOKE_TYPES, { message: `type must be one of ${SMOKE_TYPES.join(', ')}` })
  type: SmokeType = 'rw';
}
