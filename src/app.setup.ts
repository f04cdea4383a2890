import type { NestExpressApplication } from '@nestjs/platform-express';
import { AllExceptionsFilter } from './common/all-exceptions.filter';
import { bodyParserErrorMiddleware, inputLimitsMiddleware, MAX_BODY_BYTES } from './common/input-limits.middleware';
import { requestIdMiddleware } from './common/request-id.middleware';
import { createValidationPipe } from './common/validation';
import { accessLogMiddleware } from './logging/access-log.middleware';
import { setupOpenApi } from './openapi/openapi.setup';

/** What main.ts and the e2e tests both apply on top of AppModule. */
export function configureApp(app: NestExpressApplication): NestExpressApplication {
  // First, so that even a body the parsers refuse is answered with the caller's request id.
  app.use(requestIdMiddleware);
  app.use(accessLogMiddleware);
  // Both parsers here, before the input limits; Nest then adds no parser of its own after them.
  app.useBodyParser('json', { limit: MAX_BODY_BYTES });
  app.useBodyParser('urlencoded', { limit: MAX_BODY_BYTES, extended: true });
  app.use(bodyParserErrorMiddleware);
  app.use(inputLimitsMiddleware);
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new AllExceptionsFilter());
  setupOpenApi(app);
  return app;
}
