import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { RulesSource } from '../rules/rules.source';
import { AnomaliesController } from './anomalies.controller';
import { AnomalyDetector } from './anomaly-detector.port';
import { SqlAnomalyDetector } from './sql-anomaly-detector.adapter';

@Module({
  controllers: [AnomaliesController],
  providers: [
    {
      provide: AnomalyDetector,
      inject: [DataSource, RulesSource],
      useFactory: (dataSource: DataSource, rules: RulesSource) => new SqlAnomalyDetector(dataSource, rules),
    },
  ],
  exports: [AnomalyDetector],
})
export class AnomaliesModule {}
