import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { IntegerQuery } from '../common/integer-query.js';

export const MAX_SMOKE_OPS = 10_000;
export const SMOKE_TYPES = ['read', 'write', 'rw'] as const;
export type SmokeType = (typeof SMOKE_TYPES)[number];

export class SmokeDbQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_SMOKE_OPS, default: 100 })
  @IsOptional()
  @IntegerQuery('ops', 1, MAX_SMOKE_OPS)
  ops: number = 100;

  @ApiPropertyOptional({ enum: SMOKE_TYPES, default: 'rw' })
  @IsOptional()
  @IsIn(SMOKE_TYPES, { message: `type must be one of ${SMOKE_TYPES.join(', ')}` })
  type: SmokeType = 'rw';
}
