import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ControlsController } from './controls.controller';
import { ControlsStore } from './controls-store.port';
import { SqlControlsStore } from './sql-controls-store.adapter';

@Module({
  controllers: [ControlsController],
  providers: [{ provide: ControlsStore, inject: [DataSource], useFactory: (dataSource: DataSource) => new SqlControlsStore(dataSource) }],
  exports: [ControlsStore],
})
export class ControlsModule {}
