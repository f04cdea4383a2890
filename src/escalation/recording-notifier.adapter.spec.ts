import { RecordingNotifier } from './recording-notifier.adapter';

describe('RecordingNotifier', () => {
  it('keeps copies of what it sent, and fails on request without recording', async () => {
    const notifier = new RecordingNotifier();
    const fields = { priority: 'high' };
    await notifier.notify({ title: 'a', text: 'b', severity: 'info', fields });
    fields.priority = 'changed';
    expect(notifier.sent).toEqual([{ title: 'a', text: 'b', severity: 'info', fields: { priority: 'high' } }]);

    notifier.failWith = new Error('webhook down');
    await expect(notifier.notify({ title: 'c', text: 'd', severity: 'warning' })).rejects.toThrow('webhook down');
    expect(notifier.sent).toHaveLength(1);
    notifier.clear();
    expect(notifier.sent).toEqual([]);
  });
});
