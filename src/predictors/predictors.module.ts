import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { LearnedPredictor } from './learned-predictor.adapter';
import { RuleBasedPredictor } from './rule-based-predictor.adapter';
import { SqlOutcomeHistory } from './sql-outcome-history.adapter';
import { StrategyPredictor } from './strategy-predictor.port';

export function createPredictor(config: AppConfig, dataSource: DataSource | null): StrategyPredictor {
  switch (config.predictor) {
    case 'rules':
      return new RuleBasedPredictor();
    case 'learned':
      return new LearnedPredictor(dataSource ? new SqlOutcomeHistory(dataSource) : null);
  }
}

@Module({
  providers: [
    {
      provide: StrategyPredictor,
      inject: [AppConfig, { token: DataSource, optional: true }],
      useFactory: (config: AppConfig, dataSource?: DataSource) => createPredictor(config, dataSource ?? null),
    },
  ],
  exports: [StrategyPredictor],
})
export class PredictorsModule {}
