import { IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { LimitQuery } from '../../common/limit-query.dto';
import { APPROVAL_STATUSES, ApprovalStatus, INCIDENT_STATES, IncidentState } from '../incident';

export class ListIncidentsQuery extends LimitQuery {
  @IsOptional()
  @IsIn(INCIDENT_STATES, { message: `state must be one of ${INCIDENT_STATES.join(', ')}` })
  state?: IncidentState;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  tenant_id?: string;
}

export class ListApprovalsQuery extends LimitQuery {
  @IsOptional()
  @IsIn(APPROVAL_STATUSES, { message: `status must be one of ${APPROVAL_STATUSES.join(', ')}` })
  status?: ApprovalStatus;
}

/** On resolve, approve and reject: why, for the timeline. */
export class OperatorNoteBody {
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  note?: string;
}
