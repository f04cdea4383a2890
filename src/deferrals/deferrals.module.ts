import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DeferralStore } from './deferral-store.port';
import { SqlDeferralStore } from './sql-deferral-store.adapter';

@Module({
  providers: [{ provide: DeferralStore, inject: [DataSource], useFactory: (dataSource: DataSource) => new SqlDeferralStore(dataSource) }],
  exports: [DeferralStore],
})
export class DeferralsModule {}
