import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { RulesSource } from '../rules/rules.source';
import { Insights } from './insights.port';
import { SqlInsights } from './sql-insights.adapter';

@Module({
  providers: [
    {
      provide: Insights,
      inject: [DataSource, RulesSource],
      useFactory: (dataSource: DataSource, rules: RulesSource) => new SqlInsights(dataSource, rules),
    },
  ],
  exports: [Insights],
})
export class InsightsModule {}
