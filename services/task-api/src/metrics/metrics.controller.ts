import { Controller, Get, Header, Headers, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { ServiceMetrics } from './metrics.registry.js';
import { SERVICE_METRICS } from './metrics.tokens.js';

/** Prometheus exposition: OpenMetrics (with exemplars) when the scraper asks for it, else classic text. */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(SERVICE_METRICS) private readonly metrics: ServiceMetrics) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  async scrape(@Headers('accept') accept: string | undefined, @Res() reply: FastifyReply): Promise<void> {
    const registry = accept?.includes('application/openmetrics-text')
      ? this.metrics.openMetrics
      : this.metrics.text;
    const text = await registry.metrics();
    void reply.type(registry.contentType).send(text);
  }
}
