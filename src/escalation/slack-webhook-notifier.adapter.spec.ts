import { toSlackMessage } from './slack-webhook-notifier.adapter';

describe('toSlackMessage', () => {
  it('puts title and severity in the fallback text and every field in a section, escaped', () => {
    const message = toSlackMessage({
      title: 'Escalated https://a.example/hook',
      text: 'failures <50> & rising',
      severity: 'critical',
      tenant_id: 't1',
      endpoint: 'https://a.example/hook',
      escalation_id: 'e1',
      fields: { failures: '51' },
    });
    expect(message.text).toBe(':rotating_light: [CRITICAL] Escalated https://a.example/hook: failures &lt;50&gt; &amp; rising');
    expect(message.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Escalated https://a.example/hook', emoji: true },
    });
    const fields = (message.blocks[2] as { fields: Array<{ text: string }> }).fields.map((f) => f.text);
    expect(fields).toEqual(['*Tenant*\nt1', '*Endpoint*\nhttps://a.example/hook', '*Escalation*\ne1', '*failures*\n51']);
  });

  it('splits more than ten fields across sections (Slack refuses more per section)', () => {
    const fields = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`f${i}`, String(i)]));
    const message = toSlackMessage({ title: 't', text: 'x', severity: 'info', fields });
    const sections = message.blocks.filter((b) => (b as { fields?: unknown[] }).fields) as Array<{ fields: unknown[] }>;
    expect(sections.map((s) => s.fields.length)).toEqual([10, 2]);
  });
});
