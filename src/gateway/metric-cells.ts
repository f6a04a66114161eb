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

  reset(): void {
    this.value = 0;
  }
}

export class CellCounter<T extends string> extends Counter<T> {
  readonly #cells = new Map<string, { labels: Partial<Record<T, string>>; cell: CounterCell }>();

  constructor(config: CounterConfiguration<T>) {
    super(config);
    refuseOwnCounting(this, ['inc']);
  }

  /** The cell of a label set, the same one each time it is asked for: ask once and keep it. */
  cell(labels: Partial<Record<T, string>>): CounterCell {
    return cellFor(this.#cells, labels, () => new CounterCell());
  }

  override labels(): never {
    throw new Error(COUNT_THROUGH_CELLS);
  }

  override reset(): void {
    super.reset();
    // prom-client's constructor resets too, before this class's fields exist.
    if (#cells in this) for (const { cell } of this.#cells.values()) cell.reset();
  }

  override async get(): ReturnType<Counter<T>['get']> {
    const base = await super.get();
    const values = [...this.#cells.values()].map(({ labels, cell }) => ({ labels, value: cell.value }));
    return { ...base, values };
  }
}

const COUNT_THROUGH_CELLS = 'this metric counts through cell(labels), not prom-client’s own methods';

/** prom-client's own counting would go to a store these metrics never export: refused, not lost. */
function refuseOwnCounting(metric: object, methods: readonly string[]): void {
  for (const method of methods) {
    Object.defineProperty(metric, method, {
      value: () => {
        throw new Error(COUNT_THROUGH_CELLS);
      },
    });
  }
}

/** One cell per label set, whatever the order its labels were given in. */
function cellFor<L extends object, C>(
  cells: Map<string, { labels: L; cell: C }>,
  labels: L,
  make: () => C,
): C {
  const key = JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  let entry = cells.get(key);
  if (!entry) {
    entry = { labels, cell: make() };
    cells.set(key, entry);
  }
  return entry.cell;
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
    if (!Number.isFinite(value)) throw new TypeError(`not a finite number: ${value}`);
    const bounds = this.bounds;
    let bucket = 0;
    // As prom-client: a value goes in the first bucket whose upper bound it does not exceed.
    while (bucket < bounds.length && value > bounds[bucket]!) bucket++;
    this.counts[bucket]!++;
    this.sum += value;
    this.count++;
  }

  reset(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
  }
}

export class CellHistogram extends Histogram {
  readonly #name: string;
  readonly #help: string;
  readonly #aggregator: Aggregator;
  readonly #bounds: readonly number[];
  readonly #cells = new Map<string, { labels: Record<string, string>; cell: HistogramCell }>();

  constructor(config: HistogramConfiguration<string> & { buckets: number[] }) {
    super(config);
    this.#name = config.name;
    this.#help = config.help;
    this.#aggregator = config.aggregator ?? 'sum';
    this.#bounds = Object.freeze([...config.buckets].sort((a, b) => a - b));
    refuseOwnCounting(this, ['observe', 'startTimer', 'zero']);
  }

  /** The cell of a label set, the same one each time it is asked for: ask once and keep it. */
  cell(labels: Record<string, string>): HistogramCell {
    return cellFor(this.#cells, labels, () => new HistogramCell(this.#bounds));
  }

  override labels(): never {
    throw new Error(COUNT_THROUGH_CELLS);
  }

  override reset(): void {
    super.reset();
    // prom-client's constructor resets too, before this class's fields exist.
    if (#cells in this) for (const { cell } of this.#cells.values()) cell.reset();
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
    for (const { labels, cell } of this.#cells.values()) {
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
