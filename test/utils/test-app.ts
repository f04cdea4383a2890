import type { INestApplication, Type } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test, TestingModuleBuilder } from '@nestjs/testing';
import { AppModule } from '../../src/app.module';
import { configureApp } from '../../src/app.setup';
import { AppConfig } from '../../src/config/app-config';
import { mintToken } from '../../src/auth/token';
import type { Role } from '../../src/auth/roles';
import { RAW_BODY_APP_OPTIONS } from '../../src/common/raw-body';
import { createTestDatabase, TestDatabase } from './test-database';

/** A class (abstract ports included), a symbol or a string. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type ProviderToken = Function | symbol | string;

export interface TestAppOptions {
  /** Environment variables on top of the test defaults (DATABASE_URL, REDIS_URL, ...). */
  env?: Record<string, string | undefined>;
  /** Providers to swap, e.g. `[[Replayer, fakeReplayer]]`. */
  overrides?: Array<[ProviderToken, unknown]>;
  customize?: (builder: TestingModuleBuilder) => TestingModuleBuilder;
  /** Extra controllers mounted beside AppModule (probes for cross-cutting behaviour). */
  controllers?: Type<unknown>[];
}

export interface TestApp {
  app: INestApplication;
  config: AppConfig;
  /** `tenants` scopes the token; left out, it is platform-wide. */
  token(roles: Role | Role[], subject?: string, ttl?: string | number, tenants?: string[]): string;
  close(): Promise<void>;
}

/** Boots the real AppModule, configured exactly as main.ts does, with only `overrides` swapped. */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const config = AppConfig.fromEnv({ ...process.env, ...options.env });
  let builder = Test.createTestingModule({ imports: [AppModule], controllers: options.controllers ?? [] })
    .overrideProvider(AppConfig)
    .useValue(config);
  for (const [token, value] of options.overrides ?? []) builder = builder.overrideProvider(token).useValue(value);
  if (options.customize) builder = options.customize(builder);
  const moduleRef = await builder.compile();
  const app = configureApp(moduleRef.createNestApplication<NestExpressApplication>({ ...RAW_BODY_APP_OPTIONS, logger: ['error'] }));
  await app.init();
  return {
    app,
    config,
    token: (roles, subject = 'tester', ttl = '1h', tenants) =>
      mintToken(config, { subject, roles: Array.isArray(roles) ? roles : [roles], ttl, tenants }),
    close: () => app.close(),
  };
}

/** A TestApp (for the helpers that take one) that the block's afterAll closes: its tests need not call `close`. */
export interface SharedTestApp extends TestApp {
  /** The app's own database. */
  readonly db: TestDatabase;
}

/**
 * The app (as createTestApp boots it) on a migrated database of its own, for all the tests of the enclosing describe
 * block: booted in beforeAll, closed and its database dropped in afterAll. Call it where `beforeAll` may be called,
 * and read what it gives in hooks and tests, not while the block is declared.
 */
export function sharedTestApp(options: TestAppOptions = {}): SharedTestApp {
  let db: TestDatabase | undefined;
  let booted: TestApp | undefined;
  beforeAll(async () => {
    db = await createTestDatabase();
    booted = await createTestApp({ ...options, env: { ...options.env, DATABASE_URL: db.url } });
  });
  afterAll(async () => {
    await booted?.close();
    await db?.drop();
  });
  const ready = (): TestApp & { db: TestDatabase } => {
    if (!booted || !db) throw new Error('sharedTestApp: the app boots in beforeAll; use it in hooks and tests');
    return { ...booted, db };
  };
  return {
    get app() {
      return ready().app;
    },
    get config() {
      return ready().config;
    },
    get db() {
      return ready().db;
    },
    token: (...args) => ready().token(...args),
    close: () => ready().close(),
  };
}
