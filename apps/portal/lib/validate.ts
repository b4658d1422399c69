// Checks made before anything is sent, so forms can point at the field: the API's own rules, from
// @flotilla/resources. They are imported from the library's small dependency-free modules rather than its
// index because the deploy form runs them in the browser, whose bundle must not carry the whole library.
import { imageReferenceError } from '@flotilla/resources/dist/image-reference';
import { isDNS1123Label, isDNS1123Subdomain, isEnvVarName, isQualifiedName, isValidLabelValue } from '@flotilla/resources/dist/names';
import { isQuantity } from '@flotilla/resources/dist/quantity';

/** A DNS-1123 label: what names Deployments, Services, namespaces and containers. */
export const isName = (v: string): boolean => isDNS1123Label(v).length === 0;
export const isEnvName = (v: string): boolean => isEnvVarName(v).length === 0;
export const isImage = (v: string): boolean => imageReferenceError(v) === undefined;
export const isAmount = (v: string): boolean => isQuantity(v);
export const isLabel = (key: string, value: string): boolean => isQualifiedName(key).length === 0 && isValidLabelValue(value).length === 0;

export function assertName(v: unknown, what = 'name'): string {
  if (typeof v !== 'string' || isDNS1123Subdomain(v).length > 0) throw new Error(`invalid ${what}`);
  return v;
}
