#!/usr/bin/env node
// Entry point. Node 22.1+ can keep the code it compiled on disk and reuse it at the next start (about 15% off a
// cold start); that has to be switched on before the server's modules are loaded, hence the dynamic import.
// Node 20 has no such cache and just starts.
import module from 'node:module';

try {
  (module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
} catch {
  // A cache that cannot be used (read-only temp directory) only costs speed.
}
await import('./start.js');
