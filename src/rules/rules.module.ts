import { Global, Logger, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { loadRules } from './rules.loader';
import { RulesSource, StaticRulesSource } from './rules.source';
import type { AutohealRules } from './rules.types';
import { InvalidRulesError } from './rules.validation';

/** A replay still on the wire must never be taken for an interrupted one: that would mark it abandoned and lose its outcome. */
export function assertRulesFitConfig(rules: AutohealRules, config: AppConfig, file?: string): void {
  const abandonMs = rules.cycle.abandon_pending_after_seconds * 1000;
  if (abandonMs < 2 * config.replay.timeoutMs) {
    throw new InvalidRulesError(
      [
        `cycle.abandon_pending_after_seconds: must be at least twice REPLAY_TIMEOUT_MS ` +
          `(${config.replay.timeoutMs} ms), got ${rules.cycle.abandon_pending_after_seconds}`,
      ],
      file,
    );
  }
}

/** A bad AUTOHEAL_CONFIG_FILE stops the service before it serves. */
@Global()
@Module({
  providers: [
    {
      provide: RulesSource,
      inject: [AppConfig],
      useFactory: (config: AppConfig): RulesSource => {
        const file = config.autoheal.configFile;
        const rules = loadRules(file);
        assertRulesFitConfig(rules, config, file);
        new Logger('RulesModule').log(file ? `Auto-heal rules loaded from ${file}` : 'Auto-heal rules: built-in defaults');
        return new StaticRulesSource(rules);
      },
    },
  ],
  exports: [RulesSource],
})
export class RulesModule {}
