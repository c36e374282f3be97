import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import { HealthCheckService, type HealthCheckResult, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { type Clock, CLOCK } from '../common/clock.js';
import { LOGGER } from '../logging/logger.tokens.js';
import { LiveDto, ReadyDto } from './health.response.js';

const PING_TIMEOUT_MS = 1500;

/** What an outage's readiness body says: fixed text, so no driver message or host:port leaks (the log has them). */
export const DATABASE_DOWN = {
  database: { status: 'down', message: `the database did not answer a ping within ${PING_TIMEOUT_MS} ms` },
} as const;

/** Liveness (the process answers) and readiness (the database answers a ping). */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Get('live')
  @ApiOkResponse({ type: LiveDto })
  live() {
    return { status: 'ok', timestamp: this.clock.now().toISOString() };
  }

  @Get('ready')
  @ApiOkResponse({ type: ReadyDto, description: 'the database answers a ping' })
  @ApiServiceUnavailableResponse({ type: ReadyDto, description: 'the database does not answer' })
  ready(@Res() reply: FastifyReply): Promise<void> {
    return this.readiness(reply);
  }

  /** The baseline's /health, kept as an alias of readiness. */
  @Get()
  @ApiOkResponse({ type: ReadyDto, description: 'the database answers a ping' })
  @ApiServiceUnavailableResponse({ type: ReadyDto, description: 'the database does not answer' })
  alias(@Res() reply: FastifyReply): Promise<void> {
    return this.readiness(reply);
  }

  private async readiness(reply: FastifyReply): Promise<void> {
    let result: HealthCheckResult;
    let status: number = HttpStatus.OK;
    try {
      result = await this.health.check([
        () => this.database.pingCheck('database', { connection: this.dataSource, timeout: PING_TIMEOUT_MS }),
      ]);
    } catch (error) {
      status = HttpStatus.SERVICE_UNAVAILABLE;
      const details = (error as { getResponse?: () => HealthCheckResult }).getResponse?.()?.details;
      this.logger.warn({ err: error, details }, 'readiness: the database did not answer');
      result = { status: 'error', info: {}, error: DATABASE_DOWN, details: DATABASE_DOWN };
    }
    void reply.status(status).send({ ...result, timestamp: this.clock.now().toISOString() });
  }
}
