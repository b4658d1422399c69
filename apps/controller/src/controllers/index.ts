// Every controller this process runs, in one list: the dispatcher routes changes and resyncs by it, main.ts
// starts each entry. A new controller is added here and nowhere else in the process.
import type { ControllerRegistration } from '../registration';
import { cronJobController } from './cronjob';
import { endpointsController } from './endpoints';
import { garbageCollectorController } from './garbage-collector';
import { namespaceController } from './namespace';
import { nodeLifecycleController } from './node-lifecycle';
import { schedulerController } from './scheduler';
import { deploymentController, jobController, replicaSetController } from './workloads';

export const CONTROLLERS: readonly ControllerRegistration[] = [
  deploymentController,
  replicaSetController,
  endpointsController,
  jobController,
  cronJobController,
  garbageCollectorController,
  namespaceController,
  schedulerController,
  nodeLifecycleController,
];
