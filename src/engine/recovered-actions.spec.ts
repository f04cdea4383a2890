import type { AuditEntry } from '../audit/audit-log.port';
import { OUTCOME_AUDIT_ACTION, SEND_AUDIT_ACTION } from '../replay/replay-ledger.port';
import { RECOVERED_MESSAGE, recoveredActions } from './recovered-actions';

const A = 'https://a.example.com/hook';
const B = 'https://b.example.com/hook';
let n = 0;
const entry = (action: string, tenantId: string, deliveryId: string, meta: Record<string, unknown>): AuditEntry => ({
  id: String(++n),
  at: new Date(Date.UTC(2030, 0, 1, 12, 0, n)),
  operator_id: 'system:autoheal',
  action,
  resource_type: 'delivery',
  resource_id: deliveryId,
  tenant_id: tenantId,
  meta: { cycle_id: 'c1', ...meta },
});
const sent = (tenantId: string, target: string, deliveryId: string, strategy: string | null = 'REPLAY_RECENT') =>
  entry(SEND_AUDIT_ACTION, tenantId, deliveryId, { attempt_id: `att_${deliveryId}`, replay_key: `k_${deliveryId}`, target, strategy });
const answered = (tenantId: string, deliveryId: string, outcome: string) =>
  entry(OUTCOME_AUDIT_ACTION, tenantId, deliveryId, { attempt_id: `att_${deliveryId}`, outcome });

describe('recoveredActions', () => {
  it('groups the sends per endpoint, in order, each by what its outcome row says', () => {
    const trail = [
      sent('t1', A, 'd1'),
      answered('t1', 'd1', 'succeeded'),
      sent('t2', A, 'e1'),
      sent('t1', A, 'd2'),
      answered('t1', 'd2', 'failed'),
      entry('autoheal_escalate', 't1', A, { strategy: 'ESCALATE_OPERATOR' }),
      sent('t1', A, 'd3'),
    ];
    expect(recoveredActions(trail, [])).toEqual([
      {
        strategy: 'REPLAY_RECENT',
        probability: null,
        executed: true,
        incident: { tenant_id: 't1', endpoint: A, severity: null, failures: null, kind: null },
        rationale: null,
        message: RECOVERED_MESSAGE,
        recovered_from: 'audit_trail',
        replayed: ['d1', 'd2', 'd3'],
        delivered: ['d1'],
        still_failing: ['d2'],
        unsettled: ['d3'],
        count: 3,
      },
      expect.objectContaining({ incident: expect.objectContaining({ tenant_id: 't2', endpoint: A }), replayed: ['e1'], unsettled: ['e1'] }),
    ]);
  });

  it('leaves out the endpoints the cycle recorded an action for, and is empty for a cycle that sent nothing', () => {
    const trail = [sent('t1', A, 'd1'), sent('t1', B, 'd2')];
    const recorded = [{ incident: { tenant_id: 't1', endpoint: A } }];
    expect(recoveredActions(trail, recorded).map((action) => action.incident.endpoint)).toEqual([B]);
    expect(recoveredActions([], [])).toEqual([]);
  });

  it("names the strategy the intent names: a probe's send is RECOVER_BACKLOG; an intent naming none, REPLAY_RECENT", () => {
    const trail = [sent('t1', A, 'p1', 'RECOVER_BACKLOG'), answered('t1', 'p1', 'failed'), sent('t1', B, 'd1', null)];
    expect(recoveredActions(trail, []).map((action) => [action.incident.endpoint, action.strategy, action.still_failing])).toEqual([
      [A, 'RECOVER_BACKLOG', ['p1']],
      [B, 'REPLAY_RECENT', []],
    ]);
  });
});
