import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/api-responses.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { SimulatedFailureError } from '../common/domain.errors.js';
import { MAX_DELAY_SECONDS, SimulateSlowQuery } from './simulate-slow.query.js';

class SlowResponseDto {
  @ApiProperty({ example: 'responded after 1 s' })
  message!: string;

  @ApiProperty({ minimum: 0, maximum: MAX_DELAY_SECONDS })
  delay!: number;
}

/** Endpoints that make interesting telemetry on purpose: a failure and a slow request. */
@ApiTags('simulate')
@Controller('api')
export class SimulateController {
  @Get('simulate-error')
  @ApiErrors(500)
  fail(): never {
    throw new SimulatedFailureError();
  }

  @Get('simulate-slow')
  @ApiOkResponse({ type: SlowResponseDto })
  @ApiErrors(400)
  async slow(@Query() query: SimulateSlowQuery): Promise<{ message: string; delay: number }> {
    await sleep(query.delay * 1000);
    return { message: `responded after ${query.delay} s`, delay: query.delay };
  }
}
