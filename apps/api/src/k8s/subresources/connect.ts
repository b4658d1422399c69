// pods/exec and pods/portforward: kubectl's WebSocket streams, checked here (the pod, its node, the
// container, the options) and then carried to the agent of the pod's node, which runs them. Requests
// reach this point authenticated, authorised (`create` on the subresource) and audited by the pipeline.
import { Inject, Injectable } from '@nestjs/common';
import { EXEC_PROTOCOLS, kubeletExecPath, kubeletPortForwardPath, PORT_FORWARD_PROTOCOL, resourceFor, type Pod, type ResourceType } from '@flotilla/resources';
import { notFound, type Store } from '@flotilla/store';
import { STORE } from '../../tokens';
import { KubeletClient } from '../kubelet-client';
import { containerFor, containerStatusOf } from '../pod-containers';
import { all, flag, one } from '../query';
import type { ResourceRequest } from '../request';
import { ApiError, badRequest } from '../status';
import type { SubresourceHandler } from './registry';

const PODS = resourceFor('', 'v1', 'pods') as ResourceType;

@Injectable()
export class PodConnectSubresource implements SubresourceHandler {
  readonly subresources = ['exec', 'portforward'];

  constructor(
    @Inject(STORE) private readonly store: Store,
    private readonly kubelets: KubeletClient,
  ) {}

  async serve(req: ResourceRequest): Promise<'upgraded'> {
    const { namespace, name, subresource, verb } = req.info;
    if (verb !== 'create') throw new ApiError(405, 'MethodNotAllowed', `pods/${subresource} is opened with GET (WebSocket) or POST, not ${verb}`);
    const pod = (await this.store.get(PODS, namespace, name, { consistent: true }))?.obj as Pod | undefined;
    if (!pod) throw notFound(PODS.plural, PODS.group, name);
    const node = pod.spec.nodeName;
    if (!node) throw badRequest(`pod ${name} does not have a host assigned`);
    const phase = pod.status?.phase ?? 'Pending';
    const target = { namespace, pod: name, uid: pod.metadata.uid ?? '' };
    let path: string;
    if (subresource === 'exec') {
      if (phase === 'Succeeded' || phase === 'Failed') throw badRequest(`cannot exec into a container in a completed pod; current phase is ${phase}`);
      const container = containerFor(pod, one(req.query, 'container'));
      const state = containerStatusOf(pod, container)?.state;
      if (!state?.running) {
        const why = state?.waiting?.reason ?? (state?.terminated ? `terminated: ${state.terminated.reason ?? 'Completed'}` : 'ContainerCreating');
        throw badRequest(`container ${container} is not running in pod ${name} (${why})`);
      }
      const command = all(req.query, 'command');
      if (command.length === 0) throw badRequest('you must specify at least one command for the container');
      const options = {
        command,
        container,
        stdin: flag(req.query, 'stdin'),
        stdout: flag(req.query, 'stdout'),
        stderr: flag(req.query, 'stderr'),
        tty: flag(req.query, 'tty'),
      };
      if (!options.stdin && !options.stdout && !options.stderr) throw badRequest('you must specify at least one of stdin, stdout, stderr');
      path = kubeletExecPath(target, options);
    } else if (subresource === 'portforward') {
      if (phase !== 'Running') throw badRequest(`unable to forward port because pod is not running. Current status=${phase}`);
      path = kubeletPortForwardPath(target);
    } else {
      throw new ApiError(404, 'NotFound', `the server could not find the requested resource (pods/${subresource} is not served)`);
    }
    const endpoint = this.kubelets.endpoint(node);
    // Checked last: when the WebSocket handshake fails kubectl retries with SPDY (a POST), which should then show
    // why the first attempt failed (the checks above, or the node out of reach) rather than only this.
    if (String(req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
      await this.kubelets.reach(endpoint);
      const protocols = subresource === 'exec' ? EXEC_PROTOCOLS.join(' or ') : PORT_FORWARD_PROTOCOL;
      throw badRequest(`Upgrade request required: pods/${subresource} is served over WebSocket (subprotocol ${protocols}), not SPDY`);
    }
    await this.kubelets.upgrade(endpoint, path, req.headers, req.takeSocket);
    return 'upgraded';
  }
}
