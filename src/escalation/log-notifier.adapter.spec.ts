import { Logger } from '@nestjs/common';
import { LogNotifier } from './log-notifier.adapter';

describe('LogNotifier', () => {
  afterEach(() => jest.restoreAllMocks());

  it('logs critical notifications as errors, with their context', async () => {
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    await new LogNotifier().notify({
      title: 'Escalated',
      text: '80 failures',
      severity: 'critical',
      tenant_id: 't1',
      fields: { priority: 'high' },
    });
    expect(error).toHaveBeenCalledWith('[critical] Escalated: 80 failures {"tenant_id":"t1","priority":"high"}');
  });

  it('logs warnings as warnings and info as plain log lines', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    await new LogNotifier().notify({ title: 'Deferred twice', text: 'x', severity: 'warning' });
    await new LogNotifier().notify({ title: 'Recovered', text: 'y', severity: 'info' });
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^\[warning\] Deferred twice: x/));
    expect(log).toHaveBeenCalledWith(expect.stringMatching(/^\[info\] Recovered: y/));
  });
});
