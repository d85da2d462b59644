// Measures what tools/list costs an agent's context: JSON bytes and tokens (o200k_base BPE, an approximation of
// any model's tokenizer), for the default tool list and for every tool, through a real MCP client over stdio.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { getEncoding } from 'js-tiktoken';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const enc = getEncoding('o200k_base');

async function measure(label, args) {
  const transport = new StdioClientTransport({ command: process.execPath, args: [cli, '--sandbox', '--log-level', 'error', ...args], env: { PATH: process.env.PATH ?? '' } });
  const client = new Client({ name: 'bench-tokens', version: '1' });
  await client.connect(transport);
  const { tools } = await client.listTools();
  await client.close();
  const json = JSON.stringify(tools);
  const perTool = tools.map((t) => ({ name: t.name, tokens: enc.encode(JSON.stringify(t)).length }));
  const tokens = enc.encode(json).length;
  return { label, tools: tools.length, bytes: Buffer.byteLength(json), tokens, avg: Math.round(tokens / tools.length), largest: perTool.sort((a, b) => b.tokens - a.tokens).slice(0, 5) };
}

const results = [await measure('default', []), await measure('all', ['--toolsets', 'all'])];
for (const r of results) {
  console.log(`${r.label.padEnd(8)} ${String(r.tools).padStart(3)} tools  ${String(r.bytes).padStart(7)} bytes  ${String(r.tokens).padStart(6)} tokens  ${String(r.avg).padStart(4)} tokens/tool`);
  console.log(`         largest: ${r.largest.map((t) => `${t.name} ${t.tokens}`).join(', ')}`);
}
const [def, all] = results;
console.log(`targets: default <= 6000 tokens: ${def.tokens <= 6000 ? 'met' : 'MISSED'} (${def.tokens}); all <= 300 tokens/tool: ${all.avg <= 300 ? 'met' : 'MISSED'} (${all.avg})`);
