import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { RuleBasedPredictor } from './rule-based-predictor.adapter';
import { StrategyPredictor } from './strategy-predictor.port';

export function createPredictor(config: AppConfig): StrategyPredictor {
  switch (config.predictor) {
    case 'rules':
      return new RuleBasedPredictor();
  }
}

@Module({
  providers: [{ provide: StrategyPredictor, inject: [AppConfig], useFactory: createPredictor }],
  exports: [StrategyPredictor],
})
export class PredictorsModule {}
