// Checks made before anything is sent, mirroring the API's own rules, so forms can point at the field.
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
export const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
export const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/;
export const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
export const IMAGE = /^[^\s]+$/;

export function assertName(v: unknown, what = 'name'): string {
  if (typeof v !== 'string' || !DNS_SUBDOMAIN.test(v)) throw new Error(`invalid ${what}`);
  return v;
}
