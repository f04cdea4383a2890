import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { HttpReplayer } from './http-replayer.adapter';
import { ReplayLedger } from './replay-ledger.port';
import { Replayer } from './replayer.port';
import { SqlReplayLedger } from './sql-replay-ledger.adapter';
import { TargetGuard } from './target-guard';

@Module({
  providers: [
    {
      provide: ReplayLedger,
      inject: [DataSource],
      useFactory: (dataSource: DataSource): ReplayLedger => new SqlReplayLedger(dataSource),
    },
    {
      provide: TargetGuard,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => new TargetGuard({ allowPrivateTargets: config.replay.allowPrivateTargets }),
    },
    {
      provide: Replayer,
      inject: [AppConfig, TargetGuard],
      useFactory: (config: AppConfig, guard: TargetGuard) => new HttpReplayer({ timeoutMs: config.replay.timeoutMs }, guard),
    },
  ],
  exports: [ReplayLedger, Replayer, TargetGuard],
})
export class ReplayModule {}
