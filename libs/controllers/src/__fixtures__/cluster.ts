// An in-memory store that applies plans as the worker would (resourceVersion checks included), plus a fake kubelet.
import type { Deployment, KubeObject, Pod, ReplicaSet } from '@flotilla/resources';
import { canonicalJson, clone, formatTime } from '../actions';
import type { Action, PlannedEvent } from '../actions';
import { planDeployment } from '../deployment';
import { FOREGROUND_FINALIZER, planGarbageCollection, withoutForegroundFinalizer, withoutOwners } from '../garbage-collector';
import type { OwnershipView } from '../garbage-collector';
import { planReplicaFailure, planReplicaSet } from '../replicaset';
import { T0, names, writes } from './builders';

/** Admission refused a create (the fake quota below); the worker stops the plan there, as apply-actions does. */
export class RefusedCreate extends Error {}

const key = (kind: string, ns: string | undefined, name: string | undefined) => `${kind}/${ns ?? ''}/${name ?? ''}`;

export class Cluster {
  readonly objects = new Map<string, KubeObject>();
  readonly events: PlannedEvent[] = [];
  now = T0;
  /** Pods that are deleted get a deletionTimestamp and stay until finishTerminating(); otherwise they vanish. */
  gracefulPodDeletion = false;
  private rv = 100;
  private uids = 0;
  readonly newName = names();
  /** A `pods` quota: creates of active pods beyond it are refused, as admission does for controller creates. */
  podQuota: number | undefined;
  /** Called after every applied plan, to check invariants at each step. */
  afterApply: () => void = () => undefined;

  constructor(objects: KubeObject[] = []) {
    for (const o of objects) this.objects.set(key(o.kind, o.metadata.namespace, o.metadata.name), clone(o));
  }

  list<T extends KubeObject>(kind: string): T[] {
    return [...this.objects.values()].filter((o) => o.kind === kind).map((o) => clone(o) as T);
  }
  pods(): Pod[] {
    return this.list<Pod>('Pod');
  }
  replicaSets(): ReplicaSet[] {
    return this.list<ReplicaSet>('ReplicaSet');
  }
  deployment(name: string): Deployment {
    return clone(this.objects.get(key('Deployment', 'default', name)) as Deployment);
  }
  setDeployment(d: Deployment): void {
    const stored = this.objects.get(key('Deployment', d.metadata.namespace, d.metadata.name));
    const specChanged = canonicalJson(stored?.spec) !== canonicalJson(d.spec);
    const next = clone(d);
    next.metadata.resourceVersion = String(++this.rv);
    if (specChanged) next.metadata.generation = (d.metadata.generation ?? 0) + 1;
    this.objects.set(key(d.kind, d.metadata.namespace, d.metadata.name), next);
  }

  /** Applies a plan in order, as the worker does; a stale resourceVersion throws like a 409 would. */
  apply(actions: Action[]): void {
    const written = new Map<string, { from: string | undefined; to: string }>();
    for (const a of actions) {
      switch (a.type) {
        case 'create': {
          const k = key(a.object.kind, a.object.metadata.namespace, a.object.metadata.name);
          if (this.objects.has(k)) throw new Error(`AlreadyExists: ${k}`);
          const active = this.pods().filter((p) => !p.metadata.deletionTimestamp && !['Succeeded', 'Failed'].includes(p.status?.phase ?? '')).length;
          if (a.object.kind === 'Pod' && this.podQuota !== undefined && active >= this.podQuota) {
            throw new RefusedCreate(
              `Error creating: pods "${a.object.metadata.name}" is forbidden: exceeded quota: q, requested: pods=1, used: pods=${active}, limited: pods=${this.podQuota}`,
            );
          }
          const o = clone(a.object);
          o.metadata.uid = `${o.metadata.name}-${++this.uids}`;
          o.metadata.resourceVersion = String(++this.rv);
          o.metadata.generation = 1;
          o.metadata.creationTimestamp = formatTime(this.now);
          this.objects.set(k, o);
          break;
        }
        case 'update':
        case 'updateStatus': {
          const k = key(a.object.kind, a.object.metadata.namespace, a.object.metadata.name);
          const stored = this.objects.get(k);
          if (!stored) throw new Error(`NotFound: ${k}`);
          const chained = written.get(stored.metadata.uid ?? '');
          let rv = a.object.metadata.resourceVersion;
          if (chained && rv === chained.from) rv = chained.to;
          if (rv !== stored.metadata.resourceVersion) throw new Error(`Conflict: ${k} at ${stored.metadata.resourceVersion}, write from ${rv}`);
          const next = clone(a.object);
          if (a.type === 'update') {
            next.status = stored.status;
            const specChanged = canonicalJson(stored.spec) !== canonicalJson(next.spec);
            next.metadata.generation = (stored.metadata.generation ?? 1) + (specChanged ? 1 : 0);
          } else {
            const status = next.status;
            Object.assign(next, clone(stored), { status });
          }
          next.metadata.resourceVersion = String(++this.rv);
          written.set(stored.metadata.uid ?? '', { from: a.object.metadata.resourceVersion, to: next.metadata.resourceVersion });
          this.objects.set(k, next);
          break;
        }
        case 'delete': {
          const k = key(a.kind, a.namespace, a.name);
          const stored = this.objects.get(k);
          if (!stored) throw new Error(`NotFound: ${k}`);
          if (a.preconditionUid && stored.metadata.uid !== a.preconditionUid) throw new Error(`Precondition failed: ${k}`);
          if (a.kind === 'Pod' && this.gracefulPodDeletion) {
            stored.metadata.deletionTimestamp ??= formatTime(this.now);
            stored.metadata.resourceVersion = String(++this.rv);
          } else this.objects.delete(k);
          break;
        }
        case 'event':
          this.events.push(a.event);
          break;
        case 'requeueAfter':
          break;
      }
    }
    this.afterApply();
  }

  /** The fake kubelet: schedule and run up to `limit` pending pods, ready from now on. */
  startPods(limit = Infinity): number {
    let started = 0;
    for (const p of this.list<Pod>('Pod')) {
      if (started >= limit) break;
      if (p.metadata.deletionTimestamp || p.status?.phase === 'Running') continue;
      p.spec.nodeName ??= 'node-1';
      p.status = {
        phase: 'Running',
        podIP: `10.0.0.${++this.uids % 250}`,
        conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: formatTime(this.now) }],
      };
      this.objects.set(key('Pod', p.metadata.namespace, p.metadata.name), p);
      started++;
    }
    if (started) this.afterApply();
    return started;
  }

  finishTerminating(): void {
    for (const p of this.list<Pod>('Pod')) {
      if (p.metadata.deletionTimestamp) this.objects.delete(key('Pod', p.metadata.namespace, p.metadata.name));
    }
  }

  /** One pass of the deployment controller, then of the ReplicaSet controller over every ReplicaSet. Returns the writes. */
  syncOnce(deploymentName: string): Action[] {
    const d = planDeployment(this.deployment(deploymentName), this.replicaSets(), this.pods(), this.now);
    this.apply(d);
    const all = [...writes(d)];
    for (const rs of this.replicaSets()) {
      const pods = this.pods();
      const plan = planReplicaSet(rs, pods, this.now, this.newName);
      try {
        this.apply(plan);
        all.push(...writes(plan));
      } catch (err) {
        if (!(err instanceof RefusedCreate)) throw err;
        // The worker's answer to a refused create: the plan's status is dropped, the failure written instead.
        const failure = planReplicaFailure(this.replicaSets().find((r) => r.metadata.uid === rs.metadata.uid) ?? rs, pods, this.now, err.message);
        this.apply(failure);
        all.push(...writes(failure)); // the refused creates are retried, but wrote nothing
      }
    }
    return all;
  }

  /**
   * Syncs both controllers and lets the kubelet start up to `podsPerStep` pods between passes, until nothing is
   * written and nothing starts. Returns the number of passes; throws if it does not settle.
   */
  settle(deploymentName: string, podsPerStep = Infinity): number {
    for (let i = 1; i <= 200; i++) {
      const w = this.syncOnce(deploymentName);
      const started = this.startPods(podsPerStep);
      if (w.length === 0 && started === 0) return i;
    }
    throw new Error('controllers did not settle in 200 passes');
  }

  /** Changes the Deployment as a client would (kubectl set image, scale, rollout undo …). */
  editDeployment(name: string, edit: (d: Deployment) => void): void {
    const d = this.deployment(name);
    edit(d);
    this.setDeployment(d);
  }

  add(...objects: KubeObject[]): void {
    for (const o of objects) this.objects.set(key(o.kind, o.metadata.namespace, o.metadata.name), clone(o));
  }

  get(o: KubeObject): KubeObject | undefined {
    return this.objects.get(key(o.kind, o.metadata.namespace, o.metadata.name));
  }

  /** Objects by uid and dependents by owner uid, as the garbage collector reads them from the cache. */
  ownership(): OwnershipView {
    const all = [...this.objects.values()];
    return {
      byUid: (uid) => all.find((o) => o.metadata.uid === uid),
      dependentsOf: (uid) => all.filter((o) => o.metadata.ownerReferences?.some((r) => r.uid === uid)),
    };
  }

  /**
   * Deletes as the store does: Orphan clears the dependents' references to the object inside the delete;
   * Foreground leaves it terminating with the `foregroundDeletion` finalizer for the collector; Background
   * (and an object without finalizers) goes at once.
   */
  deleteObject(o: KubeObject, policy: 'Orphan' | 'Background' | 'Foreground' = 'Background'): void {
    const k = key(o.kind, o.metadata.namespace, o.metadata.name);
    const stored = this.objects.get(k);
    if (!stored) throw new Error(`NotFound: ${k}`);
    if (policy === 'Orphan') {
      for (const [dk, d] of this.objects)
        if (d.metadata.ownerReferences?.some((r) => r.uid === stored.metadata.uid))
          this.objects.set(dk, withoutOwners(d, new Set([stored.metadata.uid ?? ''])));
    }
    const finalizers = [...(stored.metadata.finalizers ?? []), ...(policy === 'Foreground' ? [FOREGROUND_FINALIZER] : [])];
    if (finalizers.length === 0) {
      this.objects.delete(k);
      return;
    }
    stored.metadata.deletionTimestamp ??= formatTime(this.now);
    stored.metadata.finalizers = [...new Set(finalizers)];
    stored.metadata.resourceVersion = String(++this.rv);
  }

  /**
   * One pass of the garbage collector over every object, each plan applied as the worker applies it (the
   * database's answer to `confirmOwners` is this cluster's own). Returns the number of writes.
   */
  collectGarbage(): number {
    let n = 0;
    for (const o of [...this.objects.values()]) {
      const k = key(o.kind, o.metadata.namespace, o.metadata.name);
      if (!this.objects.has(k)) continue;
      let plan = planGarbageCollection(clone(o), this.ownership());
      if (plan.type === 'confirmOwners')
        plan = planGarbageCollection(clone(o), this.ownership(), new Set([...this.objects.values()].map((x) => x.metadata.uid ?? '')));
      switch (plan.type) {
        case 'deleteDependents':
          for (const d of plan.dependents) this.deleteObject(d, 'Foreground');
          n += plan.dependents.length;
          break;
        case 'removeForegroundFinalizer': {
          const next = withoutForegroundFinalizer(o);
          if (next.metadata.deletionTimestamp && !next.metadata.finalizers) this.objects.delete(k);
          else this.objects.set(k, next);
          n++;
          break;
        }
        case 'delete':
          this.deleteObject(o, plan.propagationPolicy);
          n++;
          break;
        case 'removeOwnerReferences':
          this.objects.set(k, withoutOwners(o, new Set(plan.uids)));
          n++;
          break;
        default:
          break;
      }
    }
    return n;
  }
}
