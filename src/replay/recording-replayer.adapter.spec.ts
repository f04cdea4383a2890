import { answerWithStatus, RecordingReplayer } from './recording-replayer.adapter';
import type { ReplayRequest } from './replay.types';

const request = (deliveryId: string): ReplayRequest => ({
  deliveryId,
  tenantId: 'tenant-1',
  target: 'https://hooks.example.com/in',
  payload: { n: 1 },
  headers: { 'x-sig': 'abc' },
  idempotencyKey: deliveryId,
});

describe('RecordingReplayer', () => {
  it('records every request and answers 200 by default', async () => {
    const replayer = new RecordingReplayer();
    expect(await replayer.send(request('dlv_1'))).toEqual({ ok: true, httpStatus: 200, error: null, durationMs: 0 });
    await replayer.send(request('dlv_2'));
    expect(replayer.requests.map((r) => r.deliveryId)).toEqual(['dlv_1', 'dlv_2']);
  });

  it('answers from the configured function, per request', async () => {
    const replayer = new RecordingReplayer((req) => answerWithStatus(req.deliveryId === 'dlv_bad' ? 503 : 204)(req));
    expect(await replayer.send(request('dlv_ok'))).toMatchObject({ ok: true, httpStatus: 204 });
    expect(await replayer.send(request('dlv_bad'))).toEqual({ ok: false, httpStatus: 503, error: 'HTTP 503', durationMs: 0 });
    replayer.respondWith(answerWithStatus(429));
    expect(await replayer.send(request('dlv_ok'))).toMatchObject({ ok: false, httpStatus: 429 });
  });

  it('turns a throwing responder into a failed result, never an exception', async () => {
    const replayer = new RecordingReplayer(() => {
      throw new Error('ECONNREFUSED 10.0.0.1:443');
    });
    expect(await replayer.send(request('dlv_1'))).toEqual({
      ok: false,
      httpStatus: null,
      error: 'ECONNREFUSED 10.0.0.1:443',
      durationMs: 0,
    });
  });

  it('keeps a copy, so later changes by the caller do not rewrite history', async () => {
    const replayer = new RecordingReplayer();
    const req = request('dlv_1');
    await replayer.send(req);
    (req.payload as { n: number }).n = 2;
    expect(replayer.requests[0].payload).toEqual({ n: 1 });
    replayer.reset();
    expect(replayer.requests).toHaveLength(0);
  });
});
