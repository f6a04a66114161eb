import type { Metric, Registry } from 'prom-client';

type Labels = Readonly<Record<string, string>>;

/** A sample as prom-client's registry renders it and its cluster mode sums it. */
interface Sample {
  metricName?: string;
  labels: Record<string, string | number>;
  value: number;
}

/** What prom-client's own metrics answer from `get()`. */
interface MetricSamples {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  values: Sample[];
  aggregator: 'sum';
}

/**
 * A Prometheus counter or histogram of the gateway's calls whose series the call path holds
 * directly: a call adds to a number it already has, where prom-client hashes its labels on every
 * `inc` and `observe` (ADR 0013). prom-client's registry still renders them, and its cluster mode
 * sums them across workers: each answers `get()` as prom-client's own metrics do.
 */
abstract class HeldMetric {
  abstract readonly type: MetricSamples['type'];

  constructor(
    readonly name: string,
    readonly help: string,
    registry: Registry,
  ) {
    // The registry reads a metric through `name` and `get()` alone (and `reset()` when reset).
    registry.registerMetric(this as unknown as Metric);
  }

  async get(): Promise<MetricSamples> {
    return { name: this.name, help: this.help, type: this.type, values: this.samples(), aggregator: 'sum' };
  }

  /** Every series' samples, as prom-client's own metric of this type lists them. */
  protected abstract samples(): Sample[];
  abstract reset(): void;
}

/** One series of a counter: the call path adds to `value`. */
export interface CounterSeries {
  readonly labels: Labels;
  value: number;
}

export class HeldCounter extends HeldMetric {
  readonly type = 'counter';
  readonly #series: CounterSeries[] = [];

  /** A new series of this counter, at zero; its labels must not be those of another. */
  series(labels: Labels): CounterSeries {
    const series = { labels, value: 0 };
    this.#series.push(series);
    return series;
  }

  protected samples(): Sample[] {
    return this.#series.map(({ labels, value }) => ({ labels: { ...labels }, value }));
  }

  reset(): void {
    for (const series of this.#series) series.value = 0;
  }
}

/** One series of a histogram: what `observe` counted in each bucket, and the sum and count. */
export class HistogramSeries {
  readonly #counts: Float64Array;
  #sum = 0;
  #count = 0;

  constructor(
    readonly labels: Labels,
    private readonly bounds: readonly number[],
  ) {
    this.#counts = new Float64Array(bounds.length);
  }

  observe(value: number): void {
    const { bounds } = this;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= bounds[i]!) {
        this.#counts[i]!++;
        break;
      }
    }
    this.#sum += value;
    this.#count++;
  }

  /** Prometheus's cumulative buckets (`le`), then `+Inf`, `_sum` and `_count`. */
  values(name: string): Sample[] {
    const values: Sample[] = [];
    let below = 0;
    for (let i = 0; i < this.bounds.length; i++) {
      below += this.#counts[i]!;
      values.push({
        metricName: `${name}_bucket`,
        labels: { ...this.labels, le: this.bounds[i]! },
        value: below,
      });
    }
    values.push(
      { metricName: `${name}_bucket`, labels: { ...this.labels, le: '+Inf' }, value: this.#count },
      { metricName: `${name}_sum`, labels: { ...this.labels }, value: this.#sum },
      { metricName: `${name}_count`, labels: { ...this.labels }, value: this.#count },
    );
    return values;
  }

  reset(): void {
    this.#counts.fill(0);
    this.#sum = 0;
    this.#count = 0;
  }
}

export class HeldHistogram extends HeldMetric {
  readonly type = 'histogram';
  readonly #series: HistogramSeries[] = [];

  constructor(
    name: string,
    help: string,
    private readonly buckets: readonly number[],
    registry: Registry,
  ) {
    super(name, help, registry);
  }

  /** A new series of this histogram, at zero, shown from now on; its labels must not be another's. */
  series(labels: Labels): HistogramSeries {
    const series = new HistogramSeries(labels, this.buckets);
    this.#series.push(series);
    return series;
  }

  protected samples(): Sample[] {
    return this.#series.flatMap((series) => series.values(this.name));
  }

  reset(): void {
    for (const series of this.#series) series.reset();
  }
}
