import { Logger, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DEFAULT_RULES } from '../rules/rules.defaults';
import { RulesSource, StaticRulesSource } from '../rules/rules.source';
import { AnomaliesController } from './anomalies.controller';
import { AnomalyDetector } from './anomaly-detector.port';
import { SqlAnomalyDetector } from './sql-anomaly-detector.adapter';

@Module({
  controllers: [AnomaliesController],
  providers: [
    {
      provide: AnomalyDetector,
      // RulesSource comes from the (global) rules module; optional only until that module is wired.
      inject: [DataSource, { token: RulesSource, optional: true }],
      useFactory: (dataSource: DataSource, rules: RulesSource | undefined) => {
        if (!rules) new Logger('Anomalies').warn('No RulesSource provided: detecting with the default rules');
        return new SqlAnomalyDetector(dataSource, rules ?? new StaticRulesSource(DEFAULT_RULES));
      },
    },
  ],
  exports: [AnomalyDetector],
})
export class AnomaliesModule {}
