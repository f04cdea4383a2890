import { Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AppConfig } from './app-config';

/** `@nestjs/config` only loads `.env` (real variables win); AppConfig validates the result once, at boot. */
@Global()
@Module({
  imports: [ConfigModule.forRoot({ cache: true })],
  providers: [
    {
      provide: AppConfig,
      useFactory: async () => {
        await ConfigModule.envVariablesLoaded;
        return AppConfig.fromEnv(process.env);
      },
    },
  ],
  exports: [AppConfig],
})
export class AppConfigModule {}
