import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { setTimeout as sleep } from 'node:timers/promises';
import { SimulatedFailureError } from '../common/domain.errors.js';
import { SimulateSlowQuery } from './simulate-slow.query.js';

/** Endpoints that make interesting telemetry on purpose: a failure and a slow request. */
@ApiTags('simulate')
@Controller('api')
export class SimulateController {
  @Get('simulate-error')
  fail(): never {
    throw new SimulatedFailureError();
  }

  @Get('simulate-slow')
  async slow(@Query() query: SimulateSlowQuery): Promise<{ message: string; delay: number }> {
    await sleep(query.delay * 1000);
    return { message: `responded after ${query.delay} s`, delay: query.delay };
  }
}
