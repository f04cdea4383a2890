import type { NestExpressApplication } from '@nestjs/platform-express';
import { AllExceptionsFilter } from './common/all-exceptions.filter';
import { requestIdMiddleware } from './common/request-id.middleware';
import { createValidationPipe } from './common/validation';

/** What main.ts and the e2e tests both apply on top of AppModule. */
export function configureApp(app: NestExpressApplication): NestExpressApplication {
  // Webhook batches of up to 1000 deliveries with payloads need more than express's 100kb default.
  app.useBodyParser('json', { limit: '10mb' });
  app.use(requestIdMiddleware);
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new AllExceptionsFilter());
  return app;
}
