import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { type AppDependencies, AppModule } from './app.module.js';
import { HttpExceptionFilter } from './common/http-exception.filter.js';
import { frameworkErrors } from './common/framework-errors.js';
import { BODY_LIMIT_BYTES, registerJsonBodyParser } from './common/json-body.parser.js';
import { exactContract } from './common/openapi-contract.js';
import { createValidationPipe } from './common/validation.js';
import { PinoNestLogger } from './logging/pino-nest.logger.js';
import { registerHttpTelemetry, responseRecorder } from './metrics/http-telemetry.hooks.js';
import { ROUTER_OPTIONS, RouteTable } from './common/route-table.js';
import { registerStaticUi } from './ui/static-ui.hook.js';

/** How long a client may take to send a whole request (headers and body). */
export const REQUEST_TIMEOUT_MS = 30_000;

/** Builds the HTTP application (not listening yet) from its dependencies. */
export async function createApp(deps: AppDependencies): Promise<INestApplication> {
  // Fastify rather than Express: see ADR 0012. No ETag (API bodies change with every write) and no
  // X-Powered-By, as before; `/api/tasks/` is `/api/tasks`, as it was; paths are case-sensitive.
  const record = responseRecorder(deps.metrics, deps.logger);
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: ROUTER_OPTIONS,
    // Fastify turns off Node's request timeout: a client trickling its request holds a socket until this.
    requestTimeout: REQUEST_TIMEOUT_MS,
    frameworkErrors: frameworkErrors(record),
  });
  const fastify = adapter.getInstance();
  const routes = RouteTable.track(fastify);
  // Every answered request is measured and logged, those rejected by the body parser included.
  registerHttpTelemetry(fastify, record);
  // The UI for `npm start` (UI_DIR): before the body is parsed; it passes API, metrics and health paths on.
  if (deps.config.ui) registerStaticUi(fastify, deps.config.ui, deps.logger);
  registerJsonBodyParser(fastify);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(deps), adapter, {
    logger: new PinoNestLogger(deps.logger),
    bodyParser: false,
    abortOnError: false,
  });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpExceptionFilter(deps.logger, routes));

  const document = exactContract(
    SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('obslab task-api')
        .setDescription('The lab task service: tasks CRUD, telemetry generators, health and metrics.')
        .setVersion('1')
        .build(),
    ),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json', raw: ['json'] });
  return app;
}
