import { Controller, Get, Query } from '@nestjs/common';
import { Roles } from '../auth/auth.decorators';
import { NotFoundError } from '../common/domain-error';
import { CycleHistoryStore } from './cycle-history-store.port';
import { HistoryQuery } from './dto/history-query.dto';

@Controller('autoheal')
export class CycleHistoryController {
  constructor(private readonly history: CycleHistoryStore) {}

  @Roles('admin', 'operator')
  @Get('last')
  async last() {
    const result = await this.history.last();
    if (!result) throw new NotFoundError('Healing cycle', '(none has run yet)');
    return result;
  }

  @Roles('admin', 'operator')
  @Get('history')
  historyEntries(@Query() query: HistoryQuery) {
    return this.history.entries(query.limit);
  }
}
