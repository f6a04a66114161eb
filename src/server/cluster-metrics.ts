import cluster from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';

/**
 * With `keygate start --workers N`, each worker counts only the calls it served, and a scrape of
 * `/metrics` reaches one worker or another: its counters would jump between workers' figures. So
 * the worker that answers asks the primary, which gathers every worker's metrics and sums them
 * (prom-client's AggregatorRegistry, which sums counters and histograms and applies each gauge's
 * own aggregator), and the page is the cluster's.
 */
const REQUEST = 'keygate:cluster-metrics-request';
const ANSWER = 'keygate:cluster-metrics-answer';
/** Longer than prom-client's own 5 s wait for the workers, so its error arrives first. */
const ANSWER_TIMEOUT_MS = 6000;

interface Answer {
  type: typeof ANSWER;
  id: number;
  text?: string;
  error?: string;
}

/**
 * Set in the environment of the workers `keygate start --workers N` forks: a process that is a
 * cluster worker of some other launcher (PM2's cluster mode, say) has no Keygate primary to ask.
 */
export const CLUSTER_WORKER_ENV = { KEYGATE_CLUSTER_WORKER: '1' } as const;

export function isKeygateClusterWorker(): boolean {
  return cluster.isWorker && process.env.KEYGATE_CLUSTER_WORKER === CLUSTER_WORKER_ENV.KEYGATE_CLUSTER_WORKER;
}

/**
 * In a worker: answers the primary's gathering from now on with `registries`. Called first thing
 * with none, so a worker still starting does not hold up a scrape, and again with the gateway's
 * once it is built (clusterMetricsReader).
 */
export function answerClusterGathering(registries: Registry[] = []): void {
  new AggregatorRegistry(); // installs prom-client's answer to the primary's gathering (once)
  AggregatorRegistry.setRegistries(registries);
}

/** In the primary: answers each worker's request with the whole cluster's page. */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, message: { type?: string; id?: number }) => {
    if (message?.type !== REQUEST) return;
    const reply = (answer: Omit<Answer, 'type' | 'id'>) => {
      if (worker.isConnected()) worker.send({ type: ANSWER, id: message.id, ...answer });
    };
    aggregator.clusterMetrics().then(
      (text) => reply({ text }),
      (error: Error) => reply({ error: error.message }),
    );
  });
}

const waiting = new Map<
  number,
  { resolve: (text: string) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }
>();
let nextId = 0;
let listening = false;

/**
 * In a worker: reports `registry` when the primary gathers, and returns the reader of the whole
 * cluster's page.
 */
export function clusterMetricsReader(registry: Registry): () => Promise<string> {
  answerClusterGathering([registry]);
  if (!listening) {
    listening = true;
    process.on('message', (message: Answer) => {
      if (message?.type !== ANSWER) return;
      const request = waiting.get(message.id);
      if (!request) return;
      waiting.delete(message.id);
      clearTimeout(request.timer);
      if (message.text !== undefined) request.resolve(message.text);
      else request.reject(new Error(`gathering the workers' metrics failed: ${message.error}`));
    });
  }
  return () =>
    new Promise<string>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error('the primary did not answer with the workers’ metrics'));
      }, ANSWER_TIMEOUT_MS);
      waiting.set(id, { resolve, reject, timer });
      process.send?.({ type: REQUEST, id });
    });
}
