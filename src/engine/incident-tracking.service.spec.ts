import { validateRules } from '../rules/rules.validation';
import { STORM_MIN_ENDPOINTS, stormReason } from './incident-tracking.service';

describe('stormReason', () => {
  const rules = validateRules({ storm: { max_incidents: 20, max_endpoint_share: 0.2 } });

  it('is a storm beyond max_incidents endpoints in incident, whatever the traffic', () => {
    expect(stormReason(rules, 20, 0)).toBeNull();
    expect(stormReason(rules, 21, 0)).toBe('21 endpoints in incident at once (storm.max_incidents 20)');
  });

  it('is a storm beyond max_endpoint_share of the active endpoints, once there are a few of them', () => {
    expect(stormReason(rules, STORM_MIN_ENDPOINTS, 25)).toBeNull();
    expect(stormReason(rules, STORM_MIN_ENDPOINTS, 24)).toBe('5 of 24 active endpoints in incident (21% > storm.max_endpoint_share 20%)');
    // One incident on the only endpoint with traffic is an incident, not a storm.
    expect(stormReason(rules, 1, 1)).toBeNull();
  });
});
