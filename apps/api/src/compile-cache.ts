// Imported first by main.ts, before the framework: Node keeps the compiled code of the modules loaded after
// this on disk and reuses it on the next start. Loading the API's modules is most of a restart after a
// crash (bench/results/restart.md), and the cache takes a tenth or more off it. NODE_COMPILE_CACHE, if set,
// says where; otherwise Node's default under the temporary directory. Unavailable (an older Node, a
// read-only disk): the start is only slower.
import { enableCompileCache } from 'node:module';

try {
  enableCompileCache?.();
} catch {
  /* only an optimisation */
}
