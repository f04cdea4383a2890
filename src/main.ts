import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { AppConfig } from './config/app-config';
import { configFromProcess } from './config/dotenv';

async function bootstrap(): Promise<void> {
  // Validate before Nest starts, so a bad variable is one clear message, not a DI stack trace.
  configFromProcess();
  const app = await NestFactory.create<NestExpressApplication>(AppModule, { abortOnError: false });
  configureApp(app);
  app.enableShutdownHooks();
  const config = app.get(AppConfig);
  app.useLogger(logLevelsFrom(config.logLevel));
  await app.listen(config.port, config.host);
  const { port } = app.getHttpServer().address() as { port: number };
  new Logger('Bootstrap').log(`AetherLink Auto-Heal listening on http://${config.host}:${port}`);
}

function logLevelsFrom(level: AppConfig['logLevel']) {
  const order = ['error', 'warn', 'log', 'debug', 'verbose'] as const;
  return order.slice(0, order.indexOf(level) + 1) as unknown as ('error' | 'warn' | 'log' | 'debug' | 'verbose')[];
}

bootstrap().catch((error: unknown) => {
  // A configuration error already names the variable; anything else gets its stack.
  const message = error instanceof Error ? (['InvalidEnvironmentError', 'InvalidRulesError'].includes(error.name) ? error.message : error.stack) : String(error);
  process.stderr.write(`Boot failed: ${message}\n`);
  process.exit(1);
});
