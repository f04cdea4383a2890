import { OperatorAuditEntry } from '../audit/operator-audit.entity';
import { DeliveryAttempt } from '../deliveries/delivery-attempt.entity';
import { Delivery } from '../deliveries/delivery.entity';
import { AutohealHistoryEntry } from '../engine/autoheal-history.entity';

export const ENTITIES = [Delivery, DeliveryAttempt, OperatorAuditEntry, AutohealHistoryEntry];
