import { FixedInsights } from './fixed-insights.adapter';

describe('FixedInsights', () => {
  it('answers per endpoint when set, the default otherwise, and records each question', async () => {
    const insights = new FixedInsights({ rate: 0.5, samples: 10, basis: 'history' });
    insights.set('t1', 'https://a', { rate: 0.9, samples: 20, basis: 'replays' });
    const now = new Date('2025-01-23T12:00:00Z');

    await expect(insights.endpointSuccessRate('t1', 'https://a', now)).resolves.toEqual({ rate: 0.9, samples: 20, basis: 'replays' });
    await expect(insights.endpointSuccessRate('t2', 'https://a', now)).resolves.toEqual({ rate: 0.5, samples: 10, basis: 'history' });
    expect(insights.calls).toEqual([
      { tenantId: 't1', endpoint: 'https://a', now },
      { tenantId: 't2', endpoint: 'https://a', now },
    ]);
  });
});
