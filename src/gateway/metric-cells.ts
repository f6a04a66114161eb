import {
  type Aggregator,
  Counter,
  type CounterConfiguration,
  Histogram,
  type HistogramConfiguration,
} from 'prom-client';

/**
 * prom-client metrics whose label sets are resolved once, into cells that count without allocating.
 *
 * prom-client's own `labels(...).observe(v)` builds a label object and hashes it on every call, and
 * its counter returns an object from each `inc`: about 12 µs of a gateway request in a CPU profile
 * at 3,400 requests/s, and 2 % of what the request allocated (docs/benchmarks.md, session 5).
 * Here a caller asks for the cell of a label set once and keeps it; prom-client still names,
 * registers and formats the metric, reading the cells when it is scraped.
 */

/** One label set of a CellCounter. */
export class CounterCell {
  value = 0;

  inc(): void {
    this.value++;
  }
}

export class CellCounter<T extends string> extends Counter<T> {
  readonly #cells: { labels: Partial<Record<T, string>>; cell: CounterCell }[] = [];

  constructor(config: CounterConfiguration<T>) {
    super(config);
  }

  /** The cell of a label set: ask once per label set and keep it. */
  cell(labels: Partial<Record<T, string>>): CounterCell {
    const cell = new CounterCell();
    this.#cells.push({ labels, cell });
    return cell;
  }

  override async get(): ReturnType<Counter<T>['get']> {
    const base = await super.get();
    return { ...base, values: this.#cells.map(({ labels, cell }) => ({ labels, value: cell.value })) };
  }
}

/** prom-client's get() merges each value's shared labels into its labels; ours are all in labels. */
const NO_LABELS: Readonly<Record<string, never>> = Object.freeze({});

/** One label set of a CellHistogram: counts per bucket (not cumulative), then the overflow. */
export class HistogramCell {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    let bucket = 0;
    // As prom-client: a value goes in the first bucket whose upper bound it does not exceed.
    while (bucket < bounds.length && value > bounds[bucket]!) bucket++;
    this.counts[bucket]!++;
    this.sum += value;
    this.count++;
  }
}

export class CellHistogram extends Histogram {
  readonly #name: string;
  readonly #help: string;
  readonly #aggregator: Aggregator;
  readonly #bounds: readonly number[];
  readonly #cells: { labels: Record<string, string>; cell: HistogramCell }[] = [];

  constructor(config: HistogramConfiguration<string> & { buckets: number[] }) {
    super(config);
    this.#name = config.name;
    this.#help = config.help;
    this.#aggregator = config.aggregator ?? 'sum';
    this.#bounds = Object.freeze([...config.buckets].sort((a, b) => a - b));
  }

  /** The cell of a label set: ask once per label set and keep it. */
  cell(labels: Record<string, string>): HistogramCell {
    const cell = new HistogramCell(this.#bounds);
    this.#cells.push({ labels, cell });
    return cell;
  }

  /**
   * What prom-client would export: cumulative `_bucket` counts by `le`, then `+Inf`, `_sum` and
   * `_count`. Its registry formats a histogram from this method, and its `get()` reads it too;
   * the test against prom-client's own output catches a change of that.
   */
  async getForPromString(): Promise<{
    name: string;
    help: string;
    type: 'histogram';
    aggregator: Aggregator;
    values: {
      labels: Record<string, string | number>;
      sharedLabels: typeof NO_LABELS;
      value: number;
      metricName: string;
    }[];
  }> {
    const bucket = `${this.#name}_bucket`;
    const values = [];
    for (const { labels, cell } of this.#cells) {
      let cumulative = 0;
      for (const [i, le] of this.#bounds.entries()) {
        cumulative += cell.counts[i]!;
        values.push({
          labels: { le, ...labels },
          sharedLabels: NO_LABELS,
          value: cumulative,
          metricName: bucket,
        });
      }
      values.push(
        { labels: { le: '+Inf', ...labels }, sharedLabels: NO_LABELS, value: cell.count, metricName: bucket },
        { labels, sharedLabels: NO_LABELS, value: cell.sum, metricName: `${this.#name}_sum` },
        { labels, sharedLabels: NO_LABELS, value: cell.count, metricName: `${this.#name}_count` },
      );
    }
    return { name: this.#name, help: this.#help, type: 'histogram', aggregator: this.#aggregator, values };
  }
}
