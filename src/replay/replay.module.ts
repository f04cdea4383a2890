import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { ReplaySigner } from '../signing/replay-signer.service';
import { SigningModule } from '../signing/signing.module';
import { HttpReplayer } from './http-replayer.adapter';
import { OperatorResend } from './operator-resend.service';
import { ReplayLedger } from './replay-ledger.port';
import { Replayer } from './replayer.port';
import { SqlReplayLedger } from './sql-replay-ledger.adapter';
import { TargetGuard } from './target-guard';

@Module({
  imports: [SigningModule],
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
      inject: [AppConfig, TargetGuard, ReplaySigner],
      useFactory: (config: AppConfig, guard: TargetGuard, signer: ReplaySigner) =>
        new HttpReplayer({ timeoutMs: config.replay.timeoutMs }, guard, signer),
    },
    OperatorResend,
  ],
  exports: [ReplayLedger, Replayer, TargetGuard, OperatorResend],
})
export class ReplayModule {}
