// Bundles the server into dist/ and precomputes the tool manifest (JSON Schemas), so that
// start-up does no module resolution across node_modules and no schema conversion. Local builds carry source
// maps; --release (npm pack and publish) builds none, since the package ships no maps. --outdir=DIR builds
// elsewhere than dist/ (the MCP bundle's staging folder).
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = new URL('..', import.meta.url);
// npm install runs prepare, which builds for a clone; npm pack and publish run it too, after prepack, whose
// release build is the one to ship.
if (process.env.npm_lifecycle_event === 'prepare' && ['pack', 'publish'].includes(process.env.npm_command)) process.exit(0);
const release = process.argv.includes('--release');
const outdir = process.argv.find((a) => a.startsWith('--outdir='))?.slice('--outdir='.length);
const dist = outdir ? pathToFileURL(`${resolve(outdir)}/`) : new URL('dist/', root);
await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });

// zod re-exports every locale through `z.locales`; only English is ever used, so the bundle carries only that
// (about 340 kB less to parse at every start).
const onlyEnglishLocale = {
  name: 'only-english-zod-locale',
  setup(b) {
    b.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, () => ({
      contents: "export { default as en } from './en.js';",
      loader: 'js',
    }));
  },
};

// The server always passes its own elicitation validator, so the SDKs' default (Ajv, ~130 kB in v1, ~290 kB in
// v2) is never used: the modules that provide it are replaced by re-exports of ours.
const validator = JSON.stringify(new URL('src/server/elicit-validator.ts', root).pathname);
const noAjv = {
  name: 'no-ajv',
  setup(b) {
    b.onLoad({ filter: /[\\/]@modelcontextprotocol[\\/]sdk[\\/]dist[\\/]esm[\\/]validation[\\/]ajv-provider\.js$/ }, () => ({
      contents: `export { ElicitationSchemaValidator as AjvJsonSchemaValidator } from ${validator};`,
      loader: 'js',
      resolveDir: root.pathname,
    }));
    b.onResolve({ filter: /^@modelcontextprotocol\/server\/_shims$/ }, () => ({ path: 'v2-shims', namespace: 'no-ajv' }));
    b.onLoad({ filter: /.*/, namespace: 'no-ajv' }, () => ({
      contents: `export { ElicitationSchemaValidator as DefaultJsonSchemaValidator } from ${validator}; export { default as process } from 'node:process';`,
      loader: 'js',
      resolveDir: root.pathname,
    }));
  },
};

const common = {
  plugins: [onlyEnglishLocale, noAjv],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  absWorkingDir: root.pathname,
  logLevel: 'warning',
  // Some bundled CommonJS dependencies call require() for Node built-ins.
  banner: { js: "import { createRequire as __trtcCreateRequire } from 'node:module'; const require = __trtcCreateRequire(import.meta.url);" },
};

const main = await build({
  ...common,
  entryPoints: { cli: 'src/cli.ts' },
  metafile: process.argv.includes('--metafile'),
  outdir: dist.pathname,
  splitting: true,
  chunkNames: 'chunk-[hash]',
  sourcemap: release ? false : 'linked',
  minify: true,
});
// What each chunk holds, to see what a start loads (node scripts/build.mjs --metafile; esbuild's analyzer reads it).
if (main.metafile) await writeFile(new URL('meta.json', dist), JSON.stringify(main.metafile));

// The manifest is computed from the catalog by the same code the server would run; so is the search index of what a
// server in its default configuration (no setting from the environment) searches.
const gen = new URL('.manifest-gen.mjs', dist);
const genSource = `export { computeManifest } from './src/server/manifest.ts'; export { reachable } from './src/server/instructions.ts';
  export { loadConfig } from './src/config.ts'; export { indexData } from './src/server/search.ts';`;
await build({ ...common, stdin: { contents: genSource, resolveDir: root.pathname, loader: 'ts' }, outfile: gen.pathname });
const { computeManifest, reachable, loadConfig, indexData } = await import(pathToFileURL(gen.pathname).href);
const manifest = computeManifest();
await writeFile(new URL('manifest.json', dist), JSON.stringify(manifest));
const { callable, unavailable } = reachable(manifest, loadConfig([], {}));
await writeFile(new URL('search-index.json', dist), JSON.stringify(await indexData([...callable, ...unavailable])));
await rm(gen);

// The room console (an MCP Apps view, served as ui://trtc/room-console): one HTML file with its script and styles
// inline, and a content security policy of its own that admits exactly those two by hash, and nothing from
// anywhere (the host's policy for the resource names no domain either).
const view = async (entry, extra) => (await build({ entryPoints: [entry], bundle: true, minify: true, write: false, absWorkingDir: root.pathname, logLevel: 'warning', ...extra })).outputFiles[0].text;
const script = await view('src/console/main.ts', { format: 'iife', platform: 'browser', target: ['chrome111', 'firefox113', 'safari16.4'] });
const style = await view('src/console/console.css', { loader: { '.css': 'css' } });
if (/<\/(script|style)/i.test(script + style)) throw new Error('the console bundle holds a closing script or style tag');
const sha = (text) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
const csp = `default-src 'none'; script-src ${sha(script)}; style-src ${sha(style)}; img-src data:; connect-src 'none'; base-uri 'none'; form-action 'none'`;
const template = await readFile(new URL('src/console/console.html', root), 'utf8');
const html = template.replace('%CSP%', () => csp).replace('%STYLE%', () => style).replace('%SCRIPT%', () => script);
await writeFile(new URL('console.html', dist), html);
