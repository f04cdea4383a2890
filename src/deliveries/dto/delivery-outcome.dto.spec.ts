import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { ITEM_VALIDATION } from '../delivery-batch.pipe';
import { DeliveryOutcomeDto, passesDeliveryOutcomeDto } from './delivery-outcome.dto';

const valid = {
  id: 'dlv-1',
  tenant_id: 'tenant-a',
  target: 'https://hooks.example.com/a',
  status: 'failed',
  http_status: 503,
  error: 'Service Unavailable',
  event_type: 'order.created',
  payload: { order: { id: 1, items: [1, 2] } },
  headers: { 'content-type': 'application/json' },
  created_at: '2025-03-01T10:00:00Z',
  attempted_at: '2025-03-01T10:00:01.250Z',
};

// Each changes one field of `valid` (undefined removes it).
const variants: Array<Record<string, unknown>> = [
  {},
  { http_status: null, error: null, event_type: null, headers: null, created_at: null, attempted_at: null },
  { http_status: undefined, error: undefined, event_type: undefined, payload: undefined, headers: undefined, created_at: undefined },
  { payload: null },
  { payload: 'text' },
  { payload: [1, { a: null }] },
  { error: '' },
  { status: 'pending' },
  { status: 'delivered', http_status: 200 },
  { status: 'dead_letter' },
  { status: 'exploded' },
  { status: 'FAILED' },
  { status: undefined },
  { status: 1 },
  { id: '' },
  { id: 'x'.repeat(200) },
  { id: 'x'.repeat(201) },
  { id: 7 },
  { id: undefined },
  { id: null },
  { tenant_id: '' },
  { tenant_id: 't'.repeat(201) },
  { tenant_id: ['t'] },
  { target: 'ftp://hooks.example.com/a' },
  { target: '/hook' },
  { target: ' https://hooks.example.com/a' },
  { target: 'https://hooks.example.com/a\t' },
  { target: `https://hooks.example.com/${'a'.repeat(2048)}` },
  { target: 'http://127.0.0.1:9/hook' },
  { target: null },
  { http_status: 99 },
  { http_status: 100 },
  { http_status: 599 },
  { http_status: 600 },
  { http_status: 503.5 },
  { http_status: '503' },
  { error: 'e'.repeat(10_000) },
  { error: 'e'.repeat(10_001) },
  { error: 42 },
  { event_type: '' },
  { event_type: 'e'.repeat(201) },
  { headers: {} },
  { headers: { 'bad name': 'x' } },
  { headers: { 'x-ok': 5 } },
  { headers: { 'x-ok': 'a\r\nb' } },
  { headers: { 'x-ok': 'é' } },
  { headers: { 'x-ok': '☃' } },
  { headers: ['x'] },
  { headers: 'x' },
  { created_at: '2025-03-01' },
  { created_at: '2025-02-29T10:00:00Z' },
  { created_at: '2025-03-01 10:00:00Z' },
  { created_at: '2025-03-01T10:00:00+02:00' },
  { created_at: 'yesterday' },
  { created_at: 1740823200000 },
  { attempted_at: '2025-13-01T10:00:00Z' },
  { attempted_at: '2024-02-29T23:59:59.999999Z' },
  { attempted_at: '2100-02-29T10:00:00Z' },
  { attempted_at: '2000-02-29T10:00:00-05:30' },
  { attempted_at: '2025-04-31T10:00:00Z' },
  { attempted_at: '2025-04-30T24:00:00Z' },
  { attempted_at: '2025-04-30T10:60:00Z' },
  { attempted_at: '2025-04-30T10:00:00+24:00' },
  { attempted_at: '2025-04-30T10:00:00z' },
  { attempted_at: '2025-04-30T10:00Z' },
  { attempted_at: '2025-04-30T10:00:00,5Z' },
  { attempted_at: '2025-W18-3' },
  { attempted_at: '2025-120' },
  { attempted_at: '0000-02-29T00:00:00Z' },
  { attempted_at: '0999-02-28T00:00:00Z' },
  { attempted_at: '1000-02-29T00:00:00Z' },
  { attempted_at: '9999-12-31T23:59:59Z' },
  { attempted_at: '' },
  { body: '<a/>', content_type: 'text/xml' },
  { body: '' },
  { body: null, content_type: null },
  { body: 5 },
  { body: ['x'] },
  { content_type: 'application/json; charset=utf-8' },
  { content_type: 'json' },
  { content_type: 'text/plain\r\nX: y' },
  { content_type: `text/${'x'.repeat(300)}` },
  { extra: 1 },
  { constructor: 1 },
  { toString: 'x' },
];

const viaClassValidator = (raw: Record<string, unknown>) =>
  validateSync(plainToInstance(DeliveryOutcomeDto, raw), ITEM_VALIDATION).length === 0;

// Keys class-transformer drops without a word; the hand check refuses them and leaves the answer to class-validator.
const STRICTER = ['constructor', 'toString'];

function apply(change: Record<string, unknown>): Record<string, unknown> {
  const raw: Record<string, unknown> = { ...valid };
  for (const [key, value] of Object.entries(change)) {
    if (value === undefined) delete raw[key];
    else raw[key] = value;
  }
  return raw;
}

const cases = variants.map((change) => [JSON.stringify(change).slice(0, 70), change] as const);

describe('passesDeliveryOutcomeDto', () => {
  it.each(cases)('never passes what the DTO refuses: %s', (_name, change) => {
    const raw = apply(change);
    expect({ fast: passesDeliveryOutcomeDto(raw), dto: viaClassValidator(raw) }).not.toEqual({ fast: true, dto: false });
  });

  it.each(cases.filter(([, change]) => !Object.keys(change).some((key) => STRICTER.includes(key))))(
    'agrees with the DTO: %s',
    (_name, change) => {
      const raw = apply(change);
      expect(passesDeliveryOutcomeDto(raw)).toBe(viaClassValidator(raw));
    },
  );

  it('agrees with the DTO on every day 1..31 of every month of common, leap and century years', () => {
    const pad = (n: number) => String(n).padStart(2, '0');
    const disagreements: string[] = [];
    for (const year of [1900, 2000, 2023, 2024]) {
      for (let month = 1; month <= 12; month++) {
        for (let day = 1; day <= 31; day++) {
          const raw = apply({ attempted_at: `${year}-${pad(month)}-${pad(day)}T12:00:00.000Z` });
          if (passesDeliveryOutcomeDto(raw) !== viaClassValidator(raw)) disagreements.push(String(raw.attempted_at));
        }
      }
    }
    expect(disagreements).toEqual([]);
  });

  it('covers both answers', () => {
    const answers = variants.map((change) => passesDeliveryOutcomeDto(apply(change)));
    expect(answers.filter(Boolean).length).toBeGreaterThan(10);
    expect(answers.filter((ok) => !ok).length).toBeGreaterThan(30);
  });
});
