import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { version } from '../package.json';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { urlWithoutCredentials } from './common/url-without-credentials';
import { configFromProcess } from './config/dotenv';
import { Coordination } from './coordination/coordination.port';
import { AppLogger } from './logging/app-logger';
import { RAW_BODY_APP_OPTIONS } from './common/raw-body';

const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

async function bootstrap(): Promise<void> {
  // Validate before Nest starts, so a bad variable is one clear message, not a DI stack trace.
  const config = configFromProcess();
  const app = await NestFactory.create<NestExpressApplication>(AppModule, {
    ...RAW_BODY_APP_OPTIONS,
    abortOnError: false,
    logger: AppLogger.forConfig(config),
  });
  configureApp(app);
  drainOnSignals(app);
  await app.listen(config.port, config.host);
  const { port } = app.getHttpServer().address() as { port: number };
  const logger = new Logger('Bootstrap');
  logger.log(`AetherLink Auto-Heal ${version} (NODE_ENV=${config.nodeEnv}, LOG_FORMAT=${config.logFormat}, LOG_LEVEL=${config.logLevel})`);
  const { url, dataDir } = config.database;
  logger.log(`Database: ${url ? `postgres at ${urlWithoutCredentials(url, 5432)}` : `embedded PGlite under ${dataDir}`}`);
  const mode = app.get(Coordination).mode;
  const redis = mode === 'redis' && config.redisUrl ? urlWithoutCredentials(config.redisUrl, 6379) : null;
  logger.log(`Coordination: ${redis ? `redis at ${redis}` : `${mode} (single instance)`}`);
  logger.log(`AetherLink Auto-Heal listening on http://${config.host}:${port}`);
}

/** A signal closes the app the way Nest's shutdown hooks would, saying so before and after the drain. */
function drainOnSignals(app: NestExpressApplication): void {
  const logger = new Logger('Shutdown');
  for (const signal of SHUTDOWN_SIGNALS) {
    process.once(signal, () => {
      const started = performance.now();
      logger.log(`${signal} received: draining (in-flight requests and cycles finish, then connections close)`);
      app
        .close()
        .then(() => {
          logger.log(`Drained in ${Math.round(performance.now() - started)}ms; exiting`);
          process.exit(0);
        })
        .catch((error: unknown) => {
          logger.error(`Shutdown failed: ${error instanceof Error ? error.stack : error}`);
          process.exit(1);
        });
    });
  }
}

bootstrap().catch((error: unknown) => {
  // A configuration error already names the variable; anything else gets its stack.
  const message =
    error instanceof Error
      ? ['InvalidEnvironmentError', 'InvalidRulesError'].includes(error.name)
        ? error.message
        : error.stack
      : String(error);
  // The configuration may be what failed, so only the shapes of secrets (URL passwords, tokens) are masked here.
  process.stderr.write(`Boot failed: ${new AppLogger({ format: 'pretty', level: 'error' }).scrub(message ?? '')}\n`);
  process.exit(1);
});
