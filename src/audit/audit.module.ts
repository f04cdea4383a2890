import { Global, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { Clock } from '../clock/clock';
import { AuditController } from './audit.controller';
import { AuditInterceptor } from './audit.interceptor';
import { AuditLog } from './audit-log.port';
import { SqlAuditLog } from './sql-audit-log.adapter';

/** Always the database (embedded or not); MemoryAuditLog is swapped in with overrideProvider(AuditLog). */
@Global()
@Module({
  controllers: [AuditController],
  providers: [
    {
      provide: AuditLog,
      inject: [DataSource, Clock],
      useFactory: (dataSource: DataSource, clock: Clock) => new SqlAuditLog(dataSource, clock),
    },
    { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
  ],
  exports: [AuditLog],
})
export class AuditModule {}
