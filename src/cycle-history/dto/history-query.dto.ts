import { LimitQuery } from '../../common/limit-query.dto';

export class HistoryQuery extends LimitQuery {}
