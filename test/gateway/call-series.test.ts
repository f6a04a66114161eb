import { AggregatorRegistry, Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { HeldCounter, HeldHistogram } from '../../src/gateway/call-series.js';

const BUCKETS = [0.0005, 0.001, 0.0025, 0.01, 1];
/** Below, on and between the bounds, and past the last one (+Inf only). */
const OBSERVED = [0.0001, 0.0005, 0.0007, 0.001, 0.002, 0.5, 1, 3, 0];

/** A page's samples as `name{label="…",…}` with the labels sorted, so label order does not count. */
function samples(page: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const line of page.split('\n')) {
    const sample = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!sample) continue;
    const labels = (sample[2] ?? '').split(',').filter(Boolean).sort().join(',');
    found.set(`${sample[1]}{${labels}}`, Number(sample[3]));
  }
  return found;
}

describe('the gateway’s held metrics', () => {
  it('render the page prom-client renders for the same observations', async () => {
    const held = new Registry();
    const own = new Registry();
    const heldHistogram = new HeldHistogram('calls_seconds', 'Calls', BUCKETS, held);
    const heldCounter = new HeldCounter('calls_total', 'Calls', held);
    const histogram = new Histogram({
      name: 'calls_seconds',
      help: 'Calls',
      labelNames: ['api'],
      buckets: BUCKETS,
      registers: [own],
    });
    const counter = new Counter({
      name: 'calls_total',
      help: 'Calls',
      labelNames: ['api', 'status'],
      registers: [own],
    });
    for (const api of ['orders', 'users']) {
      const series = heldHistogram.series({ api });
      const ok = heldCounter.series({ api, status: '200' });
      const refused = heldCounter.series({ api, status: '403' });
      for (const seconds of OBSERVED) {
        series.observe(seconds);
        histogram.observe({ api }, seconds);
      }
      ok.value += 3;
      refused.value++;
      counter.inc({ api, status: '200' }, 3);
      counter.inc({ api, status: '403' });
    }
    const page = await held.metrics();
    expect(samples(page)).toEqual(samples(await own.metrics()));
    expect(page).toContain('# TYPE calls_seconds histogram');
    expect(page).toContain('# TYPE calls_total counter');
    expect(samples(page).get('calls_seconds_bucket{api="orders",le="+Inf"}')).toBe(OBSERVED.length);
    expect(samples(page).get('calls_seconds_bucket{api="orders",le="0.0005"}')).toBe(3);
  });

  it('are summed across cluster workers as prom-client’s own are', async () => {
    const worker = async (calls: number) => {
      const registry = new Registry();
      const counter = new HeldCounter('calls_total', 'Calls', registry).series({ api: 'orders' });
      const histogram = new HeldHistogram('calls_seconds', 'Calls', BUCKETS, registry).series({
        api: 'orders',
      });
      for (let i = 0; i < calls; i++) {
        counter.value++;
        histogram.observe(0.002);
      }
      return registry.getMetricsAsJSON();
    };
    const cluster = AggregatorRegistry.aggregate([await worker(2), await worker(5)]);
    const page = samples(await cluster.metrics());
    expect(page.get('calls_total{api="orders"}')).toBe(7);
    expect(page.get('calls_seconds_count{api="orders"}')).toBe(7);
    expect(page.get('calls_seconds_bucket{api="orders",le="0.0025"}')).toBe(7);
    expect(page.get('calls_seconds_bucket{api="orders",le="0.001"}')).toBe(0);
    expect(page.get('calls_seconds_sum{api="orders"}')).toBeCloseTo(0.014);
  });

  it('start again from zero when their registry is reset', async () => {
    const registry = new Registry();
    const counter = new HeldCounter('calls_total', 'Calls', registry).series({ api: 'orders' });
    const histogram = new HeldHistogram('calls_seconds', 'Calls', BUCKETS, registry).series({
      api: 'orders',
    });
    counter.value = 4;
    histogram.observe(0.3);
    registry.resetMetrics();
    const page = samples(await registry.metrics());
    expect(page.get('calls_total{api="orders"}')).toBe(0);
    expect(page.get('calls_seconds_count{api="orders"}')).toBe(0);
    expect(page.get('calls_seconds_bucket{api="orders",le="1"}')).toBe(0);
  });
});
