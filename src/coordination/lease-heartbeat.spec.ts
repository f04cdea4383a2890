import { LeaseHeartbeat } from './lease-heartbeat';

describe('LeaseHeartbeat', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('renews every interval until stopped', async () => {
    const renew = jest.fn(async () => true);
    const heartbeat = new LeaseHeartbeat(renew, 1_000);
    await jest.advanceTimersByTimeAsync(3_500);
    expect(renew).toHaveBeenCalledTimes(3);
    await heartbeat.stop();
    await jest.advanceTimersByTimeAsync(5_000);
    expect(renew).toHaveBeenCalledTimes(3);
    expect(heartbeat.holds).toBe(true);
  });

  it('remembers a lost lease', async () => {
    const answers = [true, false, true];
    const heartbeat = new LeaseHeartbeat(async () => answers.shift() ?? true, 100);
    await jest.advanceTimersByTimeAsync(100);
    expect(heartbeat.holds).toBe(true);
    await jest.advanceTimersByTimeAsync(200);
    expect(heartbeat.holds).toBe(false);
    await heartbeat.stop();
  });

  it('reports a failing renewal without losing the lease, and never overlaps renewals', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    let release: () => void = () => undefined;
    const heartbeat = new LeaseHeartbeat(
      () => {
        calls += 1;
        if (calls === 1) return Promise.reject(new Error('redis down'));
        return new Promise<boolean>((resolve) => (release = () => resolve(true)));
      },
      100,
      (error) => errors.push(error),
    );
    await jest.advanceTimersByTimeAsync(100);
    expect(errors).toEqual([new Error('redis down')]);
    await jest.advanceTimersByTimeAsync(500);
    expect(calls).toBe(2);
    const stopped = heartbeat.stop();
    release();
    await stopped;
    expect(heartbeat.holds).toBe(true);
  });
});
