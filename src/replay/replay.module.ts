import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { HttpReplayer } from './http-replayer.adapter';
import { OperatorResend } from './operator-resend.service';
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
    OperatorResend,
  ],
  exports: [ReplayLedger, Replayer, TargetGuard, OperatorResend],
})
export class ReplayModule {}
