// Writes docs/tools.md from the catalog, docs/configuration.md from the settings table, and the generated sections
// of docs/security.md (the same renderers the staleness tests use).
import { build } from 'esbuild';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';

const root = new URL('..', import.meta.url);
const gen = new URL('dist/.docs-gen.mjs', root);
await build({
  stdin: {
    contents:
      "export { computeManifest } from './src/server/manifest.ts'; export { renderToolsDoc, renderSecurityDoc } from './src/server/docs.ts'; export { renderConfigDoc } from './src/config.ts'; export { CATALOG } from './tools/index.ts';",
    resolveDir: root.pathname,
    loader: 'ts',
  },
  bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: gen.pathname, logLevel: 'warning',
});
const { computeManifest, renderToolsDoc, renderSecurityDoc, renderConfigDoc, CATALOG } = await import(pathToFileURL(gen.pathname).href);
await rm(gen);
await mkdir(new URL('docs/', root), { recursive: true });
await writeFile(new URL('docs/tools.md', root), renderToolsDoc(computeManifest()));
await writeFile(new URL('docs/configuration.md', root), renderConfigDoc());
const security = new URL('docs/security.md', root);
await writeFile(security, renderSecurityDoc(await readFile(security, 'utf8'), CATALOG));
