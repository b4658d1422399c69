// What the agent reports about its host: capacity from the container runtime, addresses, and honest
// pressure conditions read from the machine (free memory, free disk of the runtime's root, free PIDs).
import { readFileSync, readdirSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { hostname, networkInterfaces } from 'node:os';
import type { Condition, Node } from '@flotilla/resources';
import type { RuntimeInfo } from '@flotilla/runtime';
import { k8sTime } from './time';

export interface HostFacts {
  engine: RuntimeInfo;
  engineUp: boolean;
  memAvailableBytes?: number;
  disk?: { totalBytes: number; availableBytes: number };
  pids?: { max: number; used: number };
}

export const KUBELET_VERSION = 'v1.32.0-flotilla';
/** kubelet's hard eviction defaults: memory.available<100Mi, nodefs.available<10%. */
const MEMORY_EVICTION_BYTES = 100 * 1024 * 1024;
const DISK_EVICTION_FRACTION = 0.1;
const PID_PRESSURE_FRACTION = 0.9;
const SYSTEM_RESERVED_MILLICPU = 100;
export const MAX_PODS = 110;

const GO_ARCH: Record<string, string> = { x86_64: 'amd64', aarch64: 'arm64', armv7l: 'arm', i386: '386', i686: '386', ppc64le: 'ppc64le', s390x: 's390x' };

export function goArch(arch: string): string {
  return GO_ARCH[arch] ?? arch;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

export function memAvailable(): number | undefined {
  const m = /^MemAvailable:\s+(\d+) kB/m.exec(readText('/proc/meminfo') ?? '');
  return m ? Number(m[1]) * 1024 : undefined;
}

export async function diskOf(dir: string): Promise<HostFacts['disk']> {
  try {
    const s = await statfs(dir);
    return { totalBytes: s.blocks * s.bsize, availableBytes: s.bavail * s.bsize };
  } catch {
    // The runtime's root is not on this machine (remote DOCKER_HOST): unknown, not "fine".
    return undefined;
  }
}

export function pidUsage(): HostFacts['pids'] {
  const max = Number(readText('/proc/sys/kernel/pid_max'));
  if (!max) return undefined;
  try {
    const used = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).length;
    return { max, used };
  } catch {
    return undefined;
  }
}

/** The IPv4 address of the interface holding the default route (what pods and other hosts reach this node on). */
export function defaultIPv4(): string {
  const route = readText('/proc/net/route') ?? '';
  const iface = route
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .find((f) => f[1] === '00000000')?.[0];
  const ifaces = networkInterfaces();
  const pick = (name: string | undefined) => (name ? ifaces[name]?.find((a) => a.family === 'IPv4' && !a.internal)?.address : undefined);
  const fromRoute = pick(iface);
  if (fromRoute) return fromRoute;
  for (const name of Object.keys(ifaces)) {
    if (/^(docker|br-|veth)/.test(name)) continue;
    const a = pick(name);
    if (a) return a;
  }
  return '127.0.0.1';
}

function kib(bytes: number): string {
  return `${Math.floor(bytes / 1024)}Ki`;
}

export function capacity(facts: HostFacts): { capacity: Record<string, string>; allocatable: Record<string, string> } {
  const { engine, disk } = facts;
  const cap: Record<string, string> = { cpu: String(engine.cpus), memory: kib(engine.memoryBytes), pods: String(MAX_PODS) };
  const alloc: Record<string, string> = {
    cpu: `${Math.max(0, engine.cpus * 1000 - SYSTEM_RESERVED_MILLICPU)}m`,
    memory: kib(Math.max(0, engine.memoryBytes - MEMORY_EVICTION_BYTES)),
    pods: String(MAX_PODS),
  };
  if (disk) {
    cap['ephemeral-storage'] = kib(disk.totalBytes);
    alloc['ephemeral-storage'] = String(Math.floor(disk.totalBytes * (1 - DISK_EVICTION_FRACTION)));
  }
  return { capacity: cap, allocatable: alloc };
}

interface CondInput {
  type: string;
  status: Condition['status'];
  reason: string;
  message: string;
}

export function conditionInputs(facts: HostFacts): CondInput[] {
  const mem = facts.memAvailableBytes;
  const disk = facts.disk;
  const pids = facts.pids;
  const memPressure = mem !== undefined && mem < MEMORY_EVICTION_BYTES;
  const diskPressure = disk !== undefined && disk.availableBytes < disk.totalBytes * DISK_EVICTION_FRACTION;
  const pidPressure = pids !== undefined && pids.used > pids.max * PID_PRESSURE_FRACTION;
  return [
    mem === undefined
      ? { type: 'MemoryPressure', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'kubelet cannot read the available memory' }
      : memPressure
        ? {
            type: 'MemoryPressure',
            status: 'True',
            reason: 'KubeletHasInsufficientMemory',
            message: `kubelet has insufficient memory available (${Math.round(mem / 1048576)}Mi free)`,
          }
        : { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
    disk === undefined
      ? {
          type: 'DiskPressure',
          status: 'Unknown',
          reason: 'NodeStatusUnknown',
          message: `kubelet cannot read the file system of ${facts.engine.rootDir}`,
        }
      : diskPressure
        ? {
            type: 'DiskPressure',
            status: 'True',
            reason: 'KubeletHasDiskPressure',
            message: `kubelet has disk pressure (${Math.round(disk.availableBytes / 1048576)}Mi free)`,
          }
        : { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
    pids === undefined
      ? { type: 'PIDPressure', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'kubelet cannot count processes' }
      : pidPressure
        ? { type: 'PIDPressure', status: 'True', reason: 'KubeletHasInsufficientPID', message: 'kubelet has insufficient PID available' }
        : { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
    facts.engineUp
      ? { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }
      : { type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: 'container runtime is down: the Docker engine does not answer' },
  ];
}

/** Conditions with heartbeat now, keeping lastTransitionTime while a status holds. */
export function nodeConditions(facts: HostFacts, previous: Condition[] | undefined, now = new Date()): Condition[] {
  const t = k8sTime(now);
  return conditionInputs(facts).map((c) => {
    const prev = previous?.find((p) => p.type === c.type);
    return {
      type: c.type,
      status: c.status,
      lastHeartbeatTime: t,
      lastTransitionTime: prev && prev.status === c.status && prev.lastTransitionTime ? prev.lastTransitionTime : t,
      reason: c.reason,
      message: c.message,
    };
  });
}

export function nodeLabels(nodeName: string, engine: RuntimeInfo): Record<string, string> {
  return {
    'kubernetes.io/hostname': nodeName,
    'kubernetes.io/os': engine.osType || 'linux',
    'kubernetes.io/arch': goArch(engine.architecture),
    'beta.kubernetes.io/os': engine.osType || 'linux',
    'beta.kubernetes.io/arch': goArch(engine.architecture),
    // The runtime's name (`docker` for `docker://20.10.24`).
    'node.kubernetes.io/instance-type': engine.runtimeVersion.split('://')[0],
  };
}

/** `kubeletPort` is where the API reaches this node's exec/port-forward endpoint (0: not served). */
export function nodeStatus(
  nodeName: string,
  nodeIP: string,
  facts: HostFacts,
  previous: Node['status'] | undefined,
  kubeletPort = 0,
): NonNullable<Node['status']> {
  const { engine } = facts;
  return {
    ...capacity(facts),
    conditions: nodeConditions(facts, previous?.conditions),
    addresses: [
      { type: 'InternalIP', address: nodeIP },
      { type: 'Hostname', address: nodeName === hostname().toLowerCase() ? nodeName : hostname() },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: kubeletPort } },
    nodeInfo: {
      machineID: readText('/etc/machine-id') ?? '',
      systemUUID: readText('/sys/class/dmi/id/product_uuid') ?? readText('/etc/machine-id') ?? '',
      bootID: readText('/proc/sys/kernel/random/boot_id') ?? '',
      kernelVersion: engine.kernelVersion,
      osImage: engine.osImage,
      containerRuntimeVersion: engine.runtimeVersion,
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: KUBELET_VERSION,
      operatingSystem: engine.osType || 'linux',
      architecture: goArch(engine.architecture),
    },
  };
}
