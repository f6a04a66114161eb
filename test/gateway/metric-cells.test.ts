import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { CellCounter, CellHistogram } from '../../src/gateway/metric-cells.js';

const BUCKETS = [0.001, 0.01, 0.1, 1];

describe('metric cells', () => {
  it('export exactly what prom-client exports for the same observations', async () => {
    const reference = new Registry();
    const cells = new Registry();
    const config = (registry: Registry) => ({
      requests: {
        name: 'calls_total',
        help: 'Calls',
        labelNames: ['api', 'status'] as const,
        registers: [registry],
      },
      duration: {
        name: 'call_seconds',
        help: 'Time',
        labelNames: ['api'],
        buckets: BUCKETS,
        registers: [registry],
      },
    });
    const plainCounter = new Counter(config(reference).requests);
    const plainHistogram = new Histogram(config(reference).duration);
    const cellCounter = new CellCounter(config(cells).requests);
    const cellHistogram = new CellHistogram(config(cells).duration);

    // Bounds themselves (a value equal to a bound belongs to that bucket), past the last one, zero.
    const values = [
      0,
      0.001,
      0.0011,
      0.01,
      0.05,
      0.1,
      1,
      1.5,
      42,
      ...Array.from({ length: 200 }, Math.random),
    ];
    for (const api of ['users', 'stats']) {
      const histogramCell = cellHistogram.cell({ api });
      for (const value of values) {
        plainHistogram.labels(api).observe(value);
        histogramCell.observe(value);
      }
      for (const [status, times] of [
        ['200', 5],
        ['429', 2],
      ] as const) {
        const counterCell = cellCounter.cell({ api, status });
        for (let i = 0; i < times; i++) {
          plainCounter.labels(api, status).inc();
          counterCell.inc();
        }
      }
    }
    const expected = await reference.metrics();
    const small = values.filter((v) => v <= 0.001).length;
    expect(expected).toContain(`call_seconds_bucket{le="0.001",api="users"} ${small}`);
    expect(await cells.metrics()).toBe(expected);
    // And as JSON (prom-client's get()), but for the exemplars, which the cells do not keep.
    const withoutExemplars = (metrics: unknown) =>
      JSON.parse(JSON.stringify(metrics, (key, value) => (key === 'exemplar' ? undefined : value)));
    expect(withoutExemplars(await cells.getMetricsAsJSON())).toEqual(
      withoutExemplars(await reference.getMetricsAsJSON()),
    );
  });

  it('gives one cell per label set, resets with the registry, and refuses prom-client’s own counting', async () => {
    const registry = new Registry();
    const counter = new CellCounter({
      name: 'calls_total',
      help: 'Calls',
      labelNames: ['api', 'status'],
      registers: [registry],
    });
    const histogram = new CellHistogram({
      name: 'call_seconds',
      help: 'Time',
      labelNames: ['api'],
      buckets: BUCKETS,
      registers: [registry],
    });
    expect(counter.cell({ api: 'users', status: '200' })).toBe(counter.cell({ status: '200', api: 'users' }));
    expect(histogram.cell({ api: 'users' })).toBe(histogram.cell({ api: 'users' }));
    counter.cell({ api: 'users', status: '200' }).inc();
    histogram.cell({ api: 'users' }).observe(0.5);
    expect(await registry.metrics()).toContain('calls_total{api="users",status="200"} 1');
    expect(await registry.metrics()).toContain('call_seconds_count{api="users"} 1');
    registry.resetMetrics();
    const text = await registry.metrics();
    expect(text).toContain('calls_total{api="users",status="200"} 0');
    expect(text).toContain('call_seconds_bucket{le="1",api="users"} 0');
    expect(text).toContain('call_seconds_sum{api="users"} 0');
    // Counting that would never be exported fails loudly instead.
    expect(() => counter.inc()).toThrow(/cell/);
    expect(() => counter.labels()).toThrow(/cell/);
    expect(() => histogram.observe(1)).toThrow(/cell/);
    expect(() => histogram.labels()).toThrow(/cell/);
    expect(() => histogram.cell({ api: 'users' }).observe(Number.NaN)).toThrow(TypeError);
  });
});
