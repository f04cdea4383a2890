import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { HttpReplayer } from './http-replayer.adapter';
import { ReplayLedger } from './replay-ledger.service';
import { Replayer } from './replayer.port';
import { TargetGuard } from './target-guard';

@Module({
  providers: [
    ReplayLedger,
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
