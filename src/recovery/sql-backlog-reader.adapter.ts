import { DataSource } from 'typeorm';
import { Clock } from '../clock/clock';
import { replayKeySql } from '../replay/replay-key';
import { BacklogDelivery, BacklogFilter, BacklogPlan, cappedTotal, DEFAULT_BACKLOG_STATUSES, effectiveSince } from './backlog';
import { BacklogReader } from './backlog-reader.port';
import { BacklogSource } from './drain-ports';

// $1 tenant, $2 endpoint or null, $3 since, $4 until or null, $5 statuses, $6 triage labels or null.
// A replay claim on the current attempt counter, pending or abandoned, leaves the delivery out.
const BACKLOG_WHERE = `
      tenant_id = $1
  AND ($2::text IS NULL OR target = $2)
  AND created_at >= $3
  AND ($4::timestamptz IS NULL OR created_at < $4)
  AND status = ANY($5::text[])
  AND ($6::text[] IS NULL OR triage_label = ANY($6::text[]))
  AND NOT EXISTS (SELECT 1 FROM delivery_attempts a WHERE a.replay_key = ${replayKeySql('deliveries.id', 'deliveries.attempts')})`;

// Keyset pagination on (created_at, id): the cursor is created_at as text, which keeps the
// microseconds a JavaScript Date would drop, so a page never re-reads or skips a row.
const BACKLOG_PAGE = `
  SELECT id, tenant_id, target, created_at, created_at::text AS cursor_at
    FROM deliveries
   WHERE ${BACKLOG_WHERE}
     AND ($7::timestamptz IS NULL OR (created_at, id) > ($7::timestamptz, $8::text))
   ORDER BY created_at, id
   LIMIT $9`;

const BACKLOG_PLAN = `
  SELECT target AS endpoint, count(*)::int AS count, min(created_at) AS oldest_at, max(created_at) AS newest_at
    FROM deliveries
   WHERE ${BACKLOG_WHERE}
   GROUP BY target
   ORDER BY min(created_at), target`;

interface PageRow {
  id: string;
  tenant_id: string;
  target: string;
  created_at: Date;
  cursor_at: string;
}

function filterParams(filter: BacklogFilter, now: Date): unknown[] {
  return [
    filter.tenantId,
    filter.endpoint ?? null,
    effectiveSince(filter, now),
    filter.until ?? null,
    [...(filter.statuses ?? DEFAULT_BACKLOG_STATUSES)],
    filter.triageLabels ? [...filter.triageLabels] : null,
  ];
}

class SqlBacklogSource extends BacklogSource<BacklogDelivery> {
  private cursor: { at: string; id: string } | null = null;
  private handedOut = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly filter: BacklogFilter,
    private readonly params: unknown[],
  ) {
    super();
  }

  async next(limit: number): Promise<BacklogDelivery[]> {
    const room = this.filter.maxDeliveries === undefined ? limit : Math.min(limit, this.filter.maxDeliveries - this.handedOut);
    if (room <= 0) return [];
    const page = [...this.params, this.cursor?.at ?? null, this.cursor?.id ?? null, room];
    const rows: PageRow[] = await this.dataSource.query(BACKLOG_PAGE, page);
    const last = rows.at(-1);
    if (last) this.cursor = { at: last.cursor_at, id: last.id };
    this.handedOut += rows.length;
    return rows.map((row) => ({ id: row.id, tenantId: row.tenant_id, endpoint: row.target, createdAt: new Date(row.created_at) }));
  }
}

export class SqlBacklogReader extends BacklogReader {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {
    super();
  }

  source(filter: BacklogFilter): BacklogSource<BacklogDelivery> {
    return new SqlBacklogSource(this.dataSource, filter, filterParams(filter, this.clock.now()));
  }

  async plan(filter: BacklogFilter): Promise<BacklogPlan> {
    const rows: Array<{ endpoint: string; count: number; oldest_at: Date; newest_at: Date }> = await this.dataSource.query(
      BACKLOG_PLAN,
      filterParams(filter, this.clock.now()),
    );
    const perEndpoint = rows.map((row) => ({
      endpoint: row.endpoint,
      count: row.count,
      oldestAt: new Date(row.oldest_at),
      newestAt: new Date(row.newest_at),
    }));
    return { perEndpoint, total: cappedTotal(perEndpoint, filter.maxDeliveries) };
  }
}
