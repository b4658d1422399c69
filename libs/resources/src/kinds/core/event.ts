// The Event kind: how it is served, its schema and everything else the generic code reads (kind-module.ts).
import { FieldErrors } from '../../field-errors';
import { asObj, asStr, nonNegative, type Rec } from '../../pod-validation';
import { doc, int, obj, str, time } from '../../schema';
import { kindSchema, objectReference } from '../../schemas';
import { type Column, DESC, n, o, s, since, wide } from '../../table-columns';
import type { KubeObject } from '../../types';
import type { KindModule } from '../kind-module';

const event = kindSchema('', 'Event', 'Event is a report of an event somewhere in the cluster.', {
  involvedObject: doc(objectReference, 'The object that this event is about.'),
  reason: str("This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
  message: str('A human-readable description of the status of this operation.'),
  source: obj(
    { component: str('Component from which the event is generated.'), host: str('Node name on which the event is generated.') },
    'The component reporting this event.',
  ),
  firstTimestamp: time('The time at which the event was first recorded.'),
  lastTimestamp: time('The time at which the most recent occurrence of this event was recorded.'),
  count: int('The number of times this event has occurred.'),
  type: str('Type of this event (Normal, Warning).'),
  eventTime: time('Time when this Event was first observed.'),
  series: obj({ count: int(), lastObservedTime: time() }, 'Data about the Event series this event represents.'),
  action: str('What action was taken/failed regarding to the Regarding object.'),
  related: doc(objectReference, 'Optional secondary object for more complex actions.'),
  reportingComponent: str('Name of the controller that emitted this Event.'),
  reportingInstance: str('ID of the controller instance.'),
});

function validateEvent(errs: FieldErrors, obj: Rec): void {
  const io = asObj(obj.involvedObject);
  const meta = asObj(obj.metadata);
  if (io && asStr(io.namespace) && asStr(meta?.namespace) && io.namespace !== meta?.namespace)
    errs.invalid('involvedObject.namespace', io.namespace, 'does not match event.namespace');
  nonNegative(errs, obj.count, 'count');
}

function eventLastSeen(x: KubeObject, now: number): string {
  const last = s(x.lastTimestamp) || s(x.eventTime) || s(x.firstTimestamp) || s(o(x.metadata).creationTimestamp);
  const seen = since(last, now);
  const count = n(x.count);
  const first = s(x.firstTimestamp);
  if (count > 1 && first) return `${seen} (x${count} over ${since(first, now)})`;
  return seen;
}

const eventColumns: Column[] = [
  { name: 'Last Seen', description: 'The time at which the most recent occurrence of this event was recorded.', cell: eventLastSeen },
  { name: 'Type', description: 'Type of this event (Normal, Warning), new types could be added in the future.', cell: (x) => s(x.type) },
  { name: 'Reason', description: "The reason for the transition into the object's current status.", cell: (x) => s(x.reason) },
  {
    name: 'Object',
    description: 'The object that this event is about.',
    cell: (x) => `${s(o(x.involvedObject).kind).toLowerCase()}/${s(o(x.involvedObject).name)}`,
  },
  wide({ name: 'Subobject', description: 'The field of the object that this event is about.', cell: (x) => s(o(x.involvedObject).fieldPath) }),
  wide({
    name: 'Source',
    description: 'The component reporting this event.',
    cell: (x) => [s(o(x.source).component), s(o(x.source).host)].filter(Boolean).join(', ') || s(x.reportingComponent),
  }),
  { name: 'Message', description: 'A human-readable description of the status of this operation.', cell: (x) => s(x.message) },
  wide({
    name: 'First Seen',
    description: 'The time at which the event was first recorded.',
    cell: (x, now) => since(s(x.firstTimestamp) || s(x.eventTime), now),
  }),
  wide({ name: 'Count', type: 'integer', description: 'The number of times this event has occurred.', cell: (x) => n(x.count) }),
  wide({ name: 'Name', format: 'name', description: DESC.name, cell: (x) => s(o(x.metadata).name) }),
];

export const eventKind: KindModule = {
  resource: {
    kind: 'Event',
    shortNames: ['ev'],
    hasSpec: false,
    selectableFields: [
      'involvedObject.kind',
      'involvedObject.namespace',
      'involvedObject.name',
      'involvedObject.uid',
      'involvedObject.apiVersion',
      'involvedObject.resourceVersion',
      'involvedObject.fieldPath',
      'reason',
      'type',
      'source',
    ],
  },
  schema: event,
  validate: (e, o) => validateEvent(e, o),
  columns: eventColumns,
  // Events expose `source` as the reporting component.
  fieldPaths: { source: 'source.component' },
};
