// Every subresource handler, registered by name in SubresourceRegistry. Adding a subresource: write its
// handler (a SubresourceHandler) and add its class here.
import type { Provider, Type } from '@nestjs/common';
import { BindingSubresource } from './binding';
import { PodConnectSubresource } from './connect';
import { EvictionSubresource } from './eviction';
import { FinalizeSubresource } from './finalize';
import { PodLogSubresource } from './log';
import { SUBRESOURCE_HANDLERS, SubresourceRegistry, type SubresourceHandler } from './registry';
import { ScaleSubresource } from './scale';
import { StatusSubresource } from './status';

export const SUBRESOURCE_HANDLER_TYPES: Type<SubresourceHandler>[] = [
  StatusSubresource,
  ScaleSubresource,
  BindingSubresource,
  EvictionSubresource,
  FinalizeSubresource,
  PodLogSubresource,
  PodConnectSubresource,
];

export const subresourceProviders: Provider[] = [
  ...SUBRESOURCE_HANDLER_TYPES,
  { provide: SUBRESOURCE_HANDLERS, inject: SUBRESOURCE_HANDLER_TYPES, useFactory: (...handlers: SubresourceHandler[]) => handlers },
  SubresourceRegistry,
];

export { SubresourceRegistry, type SubresourceHandler };
