import { IsIn, IsOptional } from 'class-validator';
import { LimitQuery } from '../../common/limit-query.dto';

export class ListSilencesQuery extends LimitQuery {
  @IsOptional()
  @IsIn(['active', 'expired'], { message: 'status must be one of active, expired' })
  status?: 'active' | 'expired';
}
