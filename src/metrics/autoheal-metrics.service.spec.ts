import { AutohealMetrics } from './autoheal-metrics.service';

describe('AutohealMetrics setters', () => {
  it('export what they are given and shrug off values that are not counts', async () => {
    const metrics = new AutohealMetrics();
    metrics.setIncidentsOpen({ probing: 2, draining: Number.NaN });
    metrics.setBacklog(-5);
    metrics.countProbe('success');
    metrics.countDrained('delivered', 3);
    metrics.countDrained('failed', Number.POSITIVE_INFINITY);
    metrics.observeTimeToHeal(420);
    metrics.setStormActive(true);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^autoheal_incidents_open\{state="probing"\} 2$/m);
    expect(text).toMatch(/^autoheal_incidents_open\{state="draining"\} 0$/m);
    expect(text).toMatch(/^autoheal_backlog_deliveries 0$/m);
    expect(text).toMatch(/^autoheal_probes_total\{outcome="success"\} 1$/m);
    expect(text).toMatch(/^autoheal_drained_total\{outcome="delivered"\} 3$/m);
    expect(text).toMatch(/^autoheal_drained_total\{outcome="failed"\} 0$/m);
    expect(text).toMatch(/^autoheal_time_to_heal_seconds_count 1$/m);
    expect(text).toMatch(/^autoheal_storm_active 1$/m);
  });
});
