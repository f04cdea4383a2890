import { Approval, IncidentRecord } from './incident';
import { decisionRefusal, higherSeverity } from './incident-lifecycle';

const NOW = new Date('2025-06-01T12:00:00.000Z');
const approval = (fields: Partial<Approval> = {}): Approval => ({
  id: 'a1',
  incident_id: 'i1',
  tenant_id: 't',
  endpoint: 'https://a.example.com/hook',
  status: 'pending',
  plan: { count: 3, oldest_at: null, target: 'https://a.example.com/hook' },
  requested_at: new Date(NOW.getTime() - 60_000),
  expires_at: new Date(NOW.getTime() + 60_000),
  decided_at: null,
  decided_by: null,
  note: null,
  ...fields,
});
const incident = (state: IncidentRecord['state']) => ({ id: 'i1', state }) as IncidentRecord;

describe('decisionRefusal', () => {
  it('allows a pending, unexpired approval of an incident awaiting it', () => {
    expect(decisionRefusal(approval(), incident('awaiting_approval'), NOW)).toBeNull();
  });

  it('refuses one already decided, naming who and when', () => {
    const refusal = decisionRefusal(approval({ status: 'rejected', decided_by: 'bob', decided_at: NOW }), incident('escalated'), NOW);
    expect(refusal).toMatchObject({
      code: 'approval_not_pending',
      status: 409,
      message: `Approval a1 was already rejected by bob at ${NOW.toISOString()}`,
    });
  });

  it('refuses one whose deadline has come, as expired at that deadline', () => {
    const refusal = decisionRefusal(approval({ expires_at: NOW }), incident('awaiting_approval'), NOW);
    expect(refusal).toMatchObject({ code: 'approval_expired', status: 409, message: `Approval a1 expired at ${NOW.toISOString()}` });
  });

  it('refuses one whose incident has moved on, even while the approval is still pending', () => {
    const refusal = decisionRefusal(approval(), incident('resolved'), NOW);
    expect(refusal).toMatchObject({
      code: 'incident_not_awaiting_approval',
      status: 409,
      message: 'Incident i1 is resolved, no longer awaiting approval',
    });
  });
});

describe('higherSeverity', () => {
  it('keeps the higher of two', () => {
    expect(higherSeverity('high', 'medium')).toBe('high');
    expect(higherSeverity('medium', 'critical')).toBe('critical');
    expect(higherSeverity('low', 'low')).toBe('low');
  });
});
