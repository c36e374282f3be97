import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import { HealthCheckService, type HealthCheckResult, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { type Clock, CLOCK } from '../common/clock.js';

const PING_TIMEOUT_MS = 1500;

/** Liveness (the process answers) and readiness (the database answers a ping). */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('live')
  live() {
    return { status: 'ok', timestamp: this.clock.now().toISOString() };
  }

  @Get('ready')
  ready(@Res() response: Response): Promise<void> {
    return this.readiness(response);
  }

  /** The baseline's /health, kept as an alias of readiness. */
  @Get()
  alias(@Res() response: Response): Promise<void> {
    return this.readiness(response);
  }

  private async readiness(response: Response): Promise<void> {
    let result: HealthCheckResult;
    let status: number = HttpStatus.OK;
    try {
      result = await this.health.check([
        () => this.database.pingCheck('database', { timeout: PING_TIMEOUT_MS }),
      ]);
    } catch (error) {
      status = HttpStatus.SERVICE_UNAVAILABLE;
      result = (error as { getResponse?: () => HealthCheckResult }).getResponse?.() ?? {
        status: 'error',
        details: {},
      };
    }
    response.status(status).json({ ...result, timestamp: this.clock.now().toISOString() });
  }
}
