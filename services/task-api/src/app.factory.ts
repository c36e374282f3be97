import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { type AppDependencies, AppModule } from './app.module.js';
import { HttpExceptionFilter } from './common/http-exception.filter.js';
import { jsonDepthMiddleware } from './common/json-depth.middleware.js';
import { exactContract } from './common/openapi-contract.js';
import { createValidationPipe } from './common/validation.js';
import { PinoNestLogger } from './logging/pino-nest.logger.js';
import { httpTelemetryMiddleware } from './metrics/http-telemetry.middleware.js';
import { staticUiMiddleware } from './ui/static-ui.middleware.js';

/** Request bodies are capped here and in the frontend's nginx alike. */
export const BODY_LIMIT = '64kb';

/** Builds the HTTP application (not listening yet) from its dependencies. */
export async function createApp(deps: AppDependencies): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(deps), {
    logger: new PinoNestLogger(deps.logger),
    bodyParser: false,
    abortOnError: false,
  });
  app.disable('x-powered-by');
  // API responses change with every write: an ETag (a hash of every body) costs more than it saves.
  app.set('etag', false);
  app.set('query parser', 'simple');
  // Telemetry first, so that even requests rejected by the body parser are measured and logged.
  app.use(httpTelemetryMiddleware(deps.metrics, deps.logger));
  // The UI for `npm start` (UI_DIR): before the routes, but it passes API, metrics and health paths on.
  if (deps.config.ui) app.use(staticUiMiddleware(deps.config.ui));
  app.useBodyParser('json', { limit: BODY_LIMIT, strict: true });
  app.use(jsonDepthMiddleware());
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpExceptionFilter(deps.logger));

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
