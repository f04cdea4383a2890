import { Global, Logger, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { loadRules } from './rules.loader';
import { RulesSource, StaticRulesSource } from './rules.source';

/** Loads and validates the rules once at boot: a bad AUTOHEAL_CONFIG_FILE stops the service before it serves. */
@Global()
@Module({
  providers: [
    {
      provide: RulesSource,
      inject: [AppConfig],
      useFactory: (config: AppConfig): RulesSource => {
        const file = config.autoheal.configFile;
        const rules = loadRules(file);
        new Logger('RulesModule').log(file ? `Auto-heal rules loaded from ${file}` : 'Auto-heal rules: built-in defaults');
        return new StaticRulesSource(rules);
      },
    },
  ],
  exports: [RulesSource],
})
export class RulesModule {}
