import { DataSource } from 'typeorm';
import { RulesSource } from '../rules/rules.source';
import { EndpointSuccessRate, Insights } from './insights.port';
import { EndpointRef, endpointKey } from '../common/endpoint-key';
import { buildHistorySuccessBatchQuery, buildReplaySuccessBatchQuery, MIN_SUCCESS_RATE_SAMPLES, type SqlQuery } from './success-rate.query';

export class SqlInsights extends Insights {
  constructor(
    private readonly dataSource: DataSource,
    private readonly rules: RulesSource,
  ) {
    super();
  }

  async endpointSuccessRate(tenantId: string, endpoint: string, now: Date): Promise<EndpointSuccessRate> {
    return (await this.endpointSuccessRates([{ tenantId, endpoint }], now)).get(endpointKey(tenantId, endpoint))!;
  }

  override async endpointSuccessRates(refs: EndpointRef[], now: Date): Promise<Map<string, EndpointSuccessRate>> {
    const result = new Map<string, EndpointSuccessRate>();
    if (refs.length === 0) return result;
    const replays = await this.countsByEndpoint(buildReplaySuccessBatchQuery(refs, now));
    const needHistory = refs.filter((r) => (replays.get(endpointKey(r.tenantId, r.endpoint))?.samples ?? 0) < MIN_SUCCESS_RATE_SAMPLES);
    const history =
      needHistory.length > 0
        ? await this.countsByEndpoint(buildHistorySuccessBatchQuery(needHistory, this.recentWindowStart(now)))
        : new Map();
    for (const { tenantId, endpoint } of refs) {
      const key = endpointKey(tenantId, endpoint);
      result.set(key, choose(replays.get(key) ?? NO_SAMPLES, history.get(key) ?? NO_SAMPLES));
    }
    return result;
  }

  private recentWindowStart(now: Date): Date {
    return new Date(now.getTime() - this.rules.current().detection.recent_window_minutes * 60_000);
  }

  private async countsByEndpoint(query: SqlQuery): Promise<Map<string, Counts>> {
    const rows: Array<Counts & { tenant_id: string; target: string }> = await this.dataSource.query(query.text, query.values);
    return new Map(rows.map((row) => [endpointKey(row.tenant_id, row.target), row]));
  }
}

type Counts = { samples: number; successes: number };
const NO_SAMPLES: Counts = { samples: 0, successes: 0 };

/** Replays say most about replays; without enough of them, the endpoint's own record; else nothing. */
function choose(replays: Counts, history: Counts): EndpointSuccessRate {
  if (replays.samples >= MIN_SUCCESS_RATE_SAMPLES) return rateOf(replays, 'replays');
  if (history.samples >= MIN_SUCCESS_RATE_SAMPLES) return rateOf(history, 'history');
  return { rate: null, samples: Math.max(replays.samples, history.samples), basis: 'none' };
}

function rateOf(counts: { samples: number; successes: number }, basis: 'replays' | 'history'): EndpointSuccessRate {
  return { rate: Math.round((counts.successes / counts.samples) * 1000) / 1000, samples: counts.samples, basis };
}
