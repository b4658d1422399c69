// Prometheus metrics: request latency by route and code, watch counts, store version.
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export class Metrics {
  readonly registry = new Registry();
  readonly requests = new Histogram({
    name: 'flotilla_api_request_duration_seconds',
    help: 'API request latency by verb, resource and HTTP code (watch streams are counted when they end).',
    labelNames: ['verb', 'resource', 'code'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly watchers = new Gauge({ name: 'flotilla_api_watchers', help: 'Open watch streams.', registers: [this.registry] });
  readonly cacheRv = new Gauge({
    name: 'flotilla_store_cache_resource_version',
    help: 'Newest resourceVersion applied to the watch cache.',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'flotilla_api_' });
  }
}
