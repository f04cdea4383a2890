import { endpointKey } from '../common/endpoint-key';
import { EndpointSuccessRate, Insights } from './insights.port';

/** Real code for tests and what-if runs: per tenant+endpoint when set, else the default; records the questions. */
export class FixedInsights extends Insights {
  readonly calls: Array<{ tenantId: string; endpoint: string; now: Date }> = [];
  private readonly byEndpoint = new Map<string, EndpointSuccessRate>();

  constructor(private fallback: EndpointSuccessRate = { rate: null, samples: 0, basis: 'none' }) {
    super();
  }

  set(tenantId: string, endpoint: string, answer: EndpointSuccessRate): void {
    this.byEndpoint.set(endpointKey(tenantId, endpoint), answer);
  }

  setDefault(answer: EndpointSuccessRate): void {
    this.fallback = answer;
  }

  async endpointSuccessRate(tenantId: string, endpoint: string, now: Date): Promise<EndpointSuccessRate> {
    this.calls.push({ tenantId, endpoint, now: new Date(now.getTime()) });
    return { ...(this.byEndpoint.get(endpointKey(tenantId, endpoint)) ?? this.fallback) };
  }
}
