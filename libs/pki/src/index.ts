export type { KeyPairPem } from './keys';
export { createCa, issueServingCert, issueClientCert, KUBELET_CLIENT_CN } from './certificates';
export type { CreateCaOptions, ServingCertOptions, ClientCertOptions } from './certificates';
export { caCertHash, certInfo, needsRenewal } from './cert-info';
export type { CertInfo } from './cert-info';
export { ensurePki, PKI_FILES } from './ensure-pki';
export type { EnsurePkiOptions, EnsurePkiResult } from './ensure-pki';
export { buildKubeconfig } from './kubeconfig';
export type { KubeconfigOptions } from './kubeconfig';
