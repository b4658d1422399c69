// NodePort allocation: a NodePort or LoadBalancer Service gets a free port in 30000–32767 for every
// port that names none, and a port another Service holds is refused — decided inside the write
// transaction under an advisory lock, so two concurrent creates can never get the same port.
import type { KubeObject, Service } from '@flotilla/resources';
import type { WriteTx } from '@flotilla/store';
import { invalid } from './status';

export const NODEPORT_MIN = 30000;
export const NODEPORT_MAX = 32767;

interface PortLike {
  name?: string;
  port: number;
  nodePort?: number;
}

function needsNodePorts(svc: Service): boolean {
  return svc.spec?.type === 'NodePort' || svc.spec?.type === 'LoadBalancer';
}

export async function allocateNodePorts(tx: WriteTx, obj: KubeObject, old?: KubeObject): Promise<void> {
  const svc = obj as Service;
  const ports = (svc.spec?.ports ?? []) as PortLike[];
  if (!needsNodePorts(svc)) {
    for (const p of ports) delete p.nodePort; // ClusterIP services hold no node ports
    return;
  }
  const rows = await tx.allocatedNodePorts();
  const me = `${obj.metadata.namespace}/${obj.metadata.name}`;
  const taken = new Set(rows.filter((r) => `${r.namespace}/${r.name}` !== me).map((r) => r.port));
  const previous = new Map(((old as Service | undefined)?.spec?.ports ?? []).map((p) => [p.port, p.nodePort]));
  const errors: { field: string; reason: string; message: string }[] = [];
  ports.forEach((p, i) => {
    if (p.nodePort === 0) delete p.nodePort; // 0 means "allocate one", as in Kubernetes
    if (p.nodePort === undefined && previous.get(p.port)) p.nodePort = previous.get(p.port); // keep what it had
    if (p.nodePort !== undefined) {
      if (taken.has(p.nodePort))
        errors.push({
          field: `spec.ports[${i}].nodePort`,
          reason: 'FieldValueInvalid',
          message: `Invalid value: ${p.nodePort}: provided port is already allocated`,
        });
      taken.add(p.nodePort);
    }
  });
  ports.forEach((p, i) => {
    if (p.nodePort !== undefined) return;
    const span = NODEPORT_MAX - NODEPORT_MIN + 1;
    const start = Math.floor(Math.random() * span);
    for (let k = 0; k < span; k++) {
      const candidate = NODEPORT_MIN + ((start + k) % span);
      if (!taken.has(candidate)) {
        p.nodePort = candidate;
        taken.add(candidate);
        return;
      }
    }
    errors.push({ field: `spec.ports[${i}].nodePort`, reason: 'FieldValueInvalid', message: 'Invalid value: range is full: no node port is free' });
  });
  if (errors.length) throw invalid('Service', obj.metadata.name ?? '', '', errors);
}
