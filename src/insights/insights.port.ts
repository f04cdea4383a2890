import { EndpointRef, endpointKey } from '../common/endpoint-key';

export type SuccessRateBasis = 'replays' | 'history' | 'none';

export interface EndpointSuccessRate {
  /** 0–1, or null when neither basis has enough samples (the predictor then uses its default). */
  rate: number | null;
  /** For `none`, the most either basis had. */
  samples: number;
  basis: SuccessRateBasis;
}

export abstract class Insights {
  abstract endpointSuccessRate(tenantId: string, endpoint: string, now: Date): Promise<EndpointSuccessRate>;

  /** Keyed by `endpointKey`; the SQL adapter answers in two queries. */
  async endpointSuccessRates(refs: EndpointRef[], now: Date): Promise<Map<string, EndpointSuccessRate>> {
    const result = new Map<string, EndpointSuccessRate>();
    for (const { tenantId, endpoint } of refs)
      result.set(endpointKey(tenantId, endpoint), await this.endpointSuccessRate(tenantId, endpoint, now));
    return result;
  }
}
