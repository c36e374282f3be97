import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** Liveness, in the OpenAPI document. */
export class LiveDto {
  @ApiProperty({ enum: ['ok'] })
  status!: 'ok';

  @ApiProperty({ format: 'date-time' })
  timestamp!: string;
}

class IndicatorDto {
  @ApiProperty({ enum: ['up', 'down'] })
  status!: 'up' | 'down';

  @ApiPropertyOptional({ minimum: 0, description: 'ping time in milliseconds (up only)' })
  responseTime?: number;

  @ApiPropertyOptional({ description: 'a fixed text (down only): details go to the log' })
  message?: string;
}

class IndicatorsDto {
  @ApiPropertyOptional({ type: IndicatorDto })
  database?: IndicatorDto;
}

/** Readiness (terminus's result with a timestamp), in the OpenAPI document. */
export class ReadyDto {
  @ApiProperty({ enum: ['ok', 'error'] })
  status!: 'ok' | 'error';

  @ApiProperty({ type: IndicatorsDto, description: 'indicators that are up' })
  info!: IndicatorsDto;

  @ApiProperty({ type: IndicatorsDto, description: 'indicators that are down' })
  error!: IndicatorsDto;

  @ApiProperty({ type: IndicatorsDto, description: 'every indicator' })
  details!: IndicatorsDto;

  @ApiProperty({ format: 'date-time' })
  timestamp!: string;
}
