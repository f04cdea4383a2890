import { Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AppConfig } from './app-config';

/**
 * `@nestjs/config` only loads `.env` into the process environment (real variables win);
 * AppConfig validates the result once, at boot, and is what the rest of the app injects.
 */
@Global()
@Module({
  imports: [ConfigModule.forRoot({ cache: true })],
  providers: [{ provide: AppConfig, useFactory: async () => {
    await ConfigModule.envVariablesLoaded;
    return AppConfig.fromEnv(process.env);
  } }],
  exports: [AppConfig],
})
export class AppConfigModule {}
