import { DataSource } from 'typeorm';
import { RulesSource } from '../rules/rules.source';
import { EndpointSuccessRate, Insights } from './insights.port';
import {
  buildHistorySuccessQuery,
  buildReplaySuccessQuery,
  MIN_SUCCESS_RATE_SAMPLES,
  type SqlQuery,
} from './success-rate.query';

/** Replays say most about replays; without enough of them, the endpoint's own record; else nothing. */
export class SqlInsights extends Insights {
  constructor(
    private readonly dataSource: DataSource,
    private readonly rules: RulesSource,
  ) {
    super();
  }

  async endpointSuccessRate(tenantId: string, endpoint: string, now: Date): Promise<EndpointSuccessRate> {
    const replays = await this.count(buildReplaySuccessQuery(tenantId, endpoint, now));
    if (replays.samples >= MIN_SUCCESS_RATE_SAMPLES) return rateOf(replays, 'replays');

    const recentSince = new Date(now.getTime() - this.rules.current().detection.recent_window_minutes * 60_000);
    const history = await this.count(buildHistorySuccessQuery(tenantId, endpoint, recentSince));
    if (history.samples >= MIN_SUCCESS_RATE_SAMPLES) return rateOf(history, 'history');

    return { rate: null, samples: Math.max(replays.samples, history.samples), basis: 'none' };
  }

  private async count(query: SqlQuery): Promise<{ samples: number; successes: number }> {
    const [row] = await this.dataSource.query(query.text, query.values);
    return row;
  }
}

function rateOf(counts: { samples: number; successes: number }, basis: 'replays' | 'history'): EndpointSuccessRate {
  return { rate: Math.round((counts.successes / counts.samples) * 1000) / 1000, samples: counts.samples, basis };
}
