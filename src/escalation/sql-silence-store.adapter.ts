import { DataSource } from 'typeorm';
import { NewSilence, Occurrence, Silence, SilenceQuery, SilenceStore } from './silence-store.port';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isUuid = (id: string) => UUID.test(id);

const COLUMNS = `id, signature, tenant_id, created_at, ends_at, dedup_window_seconds::float8 AS dedup_window_seconds, max_occurrences,
  occurrences, suppressed, escalated_at, created_by, comment, incident_id, expired_at, expired_by`;
const ACTIVE = (at: string) => `expired_at IS NULL AND ends_at > ${at}`;

const INSERT = `
  INSERT INTO notification_silences
         (signature, tenant_id, created_at, ends_at, dedup_window_seconds, max_occurrences, created_by, comment, incident_id)
  VALUES ($1, $2, $3, $3::timestamptz + make_interval(secs => $4::float8 * 60), $5, $6, $7, $8, $9)
  RETURNING ${COLUMNS}`;

const GET = `SELECT ${COLUMNS} FROM notification_silences WHERE id = $1`;

const LIST = `
  SELECT ${COLUMNS} FROM notification_silences
   WHERE ($2::text[] IS NULL OR tenant_id = ANY($2::text[]))
     AND ($3::text IS NULL OR ($3 = 'active') = (${ACTIVE('$1::timestamptz')}))
   ORDER BY created_at DESC, id
   LIMIT $4`;

const MATCH = `
  SELECT ${COLUMNS} FROM notification_silences
   WHERE tenant_id = $1 AND signature = $2 AND ${ACTIVE('$3::timestamptz')}
   ORDER BY created_at DESC
   LIMIT 1`;

// The row lock makes counting exact when instances page at once; an endpoint counts again once its dedup window passed.
const COUNT_OCCURRENCE = `
  WITH s AS (
    SELECT id, occurrences, max_occurrences, escalated_at IS NULL AS unescalated,
           (last_counted->>$2 IS NULL
            OR (last_counted->>$2)::timestamptz <= $3::timestamptz - make_interval(secs => dedup_window_seconds::float8)) AS counted
      FROM notification_silences
     WHERE id = $1 AND ${ACTIVE('$3::timestamptz')}
       FOR UPDATE
  ), decided AS (
    SELECT s.*, (s.unescalated AND s.occurrences + s.counted::int >= s.max_occurrences) AS escalate FROM s
  )
  UPDATE notification_silences n
     SET occurrences = n.occurrences + d.counted::int,
         suppressed = n.suppressed + (NOT d.escalate)::int,
         last_counted = CASE WHEN d.counted THEN jsonb_set(n.last_counted, ARRAY[$2], to_jsonb($3::timestamptz)) ELSE n.last_counted END,
         escalated_at = CASE WHEN d.escalate THEN $3::timestamptz ELSE n.escalated_at END
    FROM decided d
   WHERE n.id = d.id
  RETURNING n.id, n.signature, n.tenant_id, n.created_at, n.ends_at, n.dedup_window_seconds::float8 AS dedup_window_seconds,
            n.max_occurrences, n.occurrences, n.suppressed, n.escalated_at, n.created_by, n.comment, n.incident_id, n.expired_at,
            n.expired_by, d.counted, d.escalate`;

const EXPIRE = `
  UPDATE notification_silences SET expired_at = $3, expired_by = $2
   WHERE id = $1 AND ${ACTIVE('$3::timestamptz')}
  RETURNING id`;

export class SqlSilenceStore extends SilenceStore {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async create(s: NewSilence): Promise<Silence> {
    const [row] = (await this.dataSource.query(INSERT, [
      s.signature,
      s.tenantId,
      s.now,
      s.durationMinutes,
      s.dedupWindowSeconds,
      s.maxOccurrences,
      s.createdBy,
      s.comment,
      s.incidentId,
    ])) as Silence[];
    return row;
  }

  async get(id: string): Promise<Silence | null> {
    if (!isUuid(id)) return null;
    const [row] = (await this.dataSource.query(GET, [id])) as Silence[];
    return row ?? null;
  }

  async list(q: SilenceQuery): Promise<Silence[]> {
    return this.dataSource.query(LIST, [q.now, q.tenants ? [...q.tenants] : null, q.status ?? null, q.limit]);
  }

  async match(tenantId: string, signature: string, now: Date): Promise<Silence | null> {
    const [row] = (await this.dataSource.query(MATCH, [tenantId, signature, now])) as Silence[];
    return row ?? null;
  }

  async countOccurrence(id: string, source: string, now: Date): Promise<Occurrence | null> {
    const [rows] = (await this.dataSource.query(COUNT_OCCURRENCE, [id, source, now])) as [
      Array<Silence & { counted: boolean; escalate: boolean }>,
      number,
    ];
    if (rows.length === 0) return null;
    const { counted, escalate, ...silence } = rows[0];
    return { silence, counted, escalate };
  }

  async expire(id: string, by: string, now: Date): Promise<boolean> {
    if (!isUuid(id)) return false;
    const [rows] = (await this.dataSource.query(EXPIRE, [id, by, now])) as [unknown[], number];
    return rows.length > 0;
  }
}
