// The single place that loads @peculiar/x509, so its two process-wide prerequisites are met before
// any other module touches it.
// tsyringe (an @peculiar/x509 dependency) throws at load time without a Reflect metadata polyfill.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

// Node's WebCrypto, so keys generated with `crypto.webcrypto` are the ones the library signs with.
x509.cryptoProvider.set(webcrypto);

export { x509 };
