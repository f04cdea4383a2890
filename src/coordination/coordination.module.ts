import { Global, Module } from '@nestjs/common';
import { Coordination } from './coordination.port';
import { MemoryCoordination } from './memory-coordination.adapter';

// TODO(helper): choose Redis when REDIS_URL is set; warn about single-instance mode otherwise.
@Global()
@Module({
  providers: [{ provide: Coordination, useFactory: () => new MemoryCoordination() }],
  exports: [Coordination],
})
export class CoordinationModule {}
