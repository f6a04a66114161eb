import cluster from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';

/**
 * Set in the environment of the workers `keygate start --workers N` forks: a process that is a
 * cluster worker of some other launcher (PM2's cluster mode, say) has no Keygate primary to ask.
 */
export const CLUSTER_WORKER_ENV = { KEYGATE_CLUSTER_WORKER: '1' } as const;

export function isKeygateClusterWorker(): boolean {
  return cluster.isWorker && process.env.KEYGATE_CLUSTER_WORKER === CLUSTER_WORKER_ENV.KEYGATE_CLUSTER_WORKER;
}

/**
 * In a worker of `keygate start --workers N`: the registries the primary's AggregatorRegistry
 * gathers (prom-client's cluster mode). Called first thing with none, so a worker still starting
 * does not hold up a scrape, and again with the gateway's once it is built.
 */
export function reportToClusterPrimary(registries: Registry[] = []): void {
  new AggregatorRegistry(); // installs prom-client's answer to the primary's gathering (once)
  AggregatorRegistry.setRegistries(registries);
}

/**
 * In the primary: the whole cluster's page, gathered from every worker and summed (counters and
 * histograms; each gauge by its own aggregator), as prom-client's cluster mode documents.
 */
export function clusterMetricsPage(): { read: () => Promise<string>; contentType: string } {
  const aggregator = new AggregatorRegistry();
  return { read: () => aggregator.clusterMetrics(), contentType: aggregator.contentType };
}
