import { ThrottledLog } from './throttled-log';

describe('ThrottledLog', () => {
  let now: number;
  let written: string[];
  let log: ThrottledLog;

  beforeEach(() => {
    now = 1_000_000;
    written = [];
    log = new ThrottledLog(
      (message) => written.push(message),
      30_000,
      () => now,
    );
  });

  it('writes the first message and suppresses the rest within the interval', () => {
    log.log('down');
    now += 1_000;
    log.log('down');
    log.log('down');
    expect(written).toEqual(['down']);
  });

  it('writes again after the interval, saying how many were suppressed', () => {
    log.log('down');
    log.log('down');
    log.log('down');
    now += 30_000;
    log.log('still down');
    expect(written).toEqual(['down', 'still down (2 similar message(s) suppressed)']);
  });

  it('writes at once after a reset', () => {
    log.log('down');
    log.reset();
    log.log('down again');
    expect(written).toEqual(['down', 'down again']);
  });
});
