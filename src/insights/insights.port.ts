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
}
