import { Logger, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DEFAULT_RULES } from '../rules/rules.defaults';
import { RulesSource, StaticRulesSource } from '../rules/rules.source';
import { Insights } from './insights.port';
import { SqlInsights } from './sql-insights.adapter';

@Module({
  providers: [
    {
      provide: Insights,
      // RulesSource comes from the (global) rules module; optional only until that module is wired.
      inject: [DataSource, { token: RulesSource, optional: true }],
      useFactory: (dataSource: DataSource, rules: RulesSource | undefined) => {
        if (!rules) new Logger('Insights').warn('No RulesSource provided: using the default detection window');
        return new SqlInsights(dataSource, rules ?? new StaticRulesSource(DEFAULT_RULES));
      },
    },
  ],
  exports: [Insights],
})
export class InsightsModule {}
