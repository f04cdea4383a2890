import { EndpointRef, endpointKey } from '../common/endpoint-key';

export type SuccessRateBasis = 'replays' | 'history' | 'none';

export interface EndpointSuccessRate {
  /** 0–1, or null when neither basis has enough samples (the predictor then uses its default). */
  rate: number | null;
  /** Samples behind `rate`; for `none`, the most either basis had. */
  samples: number;
  basis: SuccessRateBasis;
}

/** M4: how likely a re-send to this tenant's endpoint is to succeed. Abstract class = DI token. */
export abstract class Insights {
  abstract endpointSuccessRate(tenantId: string, endpoint: string, now: Date): Promise<EndpointSuccessRate>;

  /** Many endpoints at once, keyed by `endpointKey`; the SQL adapter answers in two queries. */
  async endpointSuccessRates(refs: EndpointRef[], now: Date): Promise<Map<string, EndpointSuccessRate>> {
    const result = new Map<string, EndpointSuccessRate>();
    for (const { tenantId, endpoint } of refs) result.set(endpointKey(tenantId, endpoint), await this.endpointSuccessRate(tenantId, endpoint, now));
    return result;
  }
}
