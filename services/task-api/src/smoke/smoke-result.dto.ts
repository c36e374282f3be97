import { ApiProperty } from '@nestjs/swagger';
import { MAX_SMOKE_OPS, SMOKE_TYPES } from './smoke-db.query.js';

class SmokePerformedDto {
  @ApiProperty({ type: 'integer', minimum: 0, maximum: MAX_SMOKE_OPS })
  read!: number;

  @ApiProperty({ type: 'integer', minimum: 0, maximum: MAX_SMOKE_OPS })
  write!: number;
}

/** The answer of a smoke test (SmokeResult), in the OpenAPI document. */
export class SmokeResultDto {
  @ApiProperty({ enum: [true] })
  ok!: true;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: MAX_SMOKE_OPS })
  requested_ops!: number;

  @ApiProperty({ enum: SMOKE_TYPES })
  type!: string;

  @ApiProperty({ type: SmokePerformedDto })
  performed!: SmokePerformedDto;

  @ApiProperty({ enum: [true] })
  rolled_back!: true;

  @ApiProperty({ minimum: 0 })
  duration_ms!: number;
}
