/**
 * Writes environment.md (and prints it): the machine and software this checkout runs on.
 *   npx tsx scripts/environment.ts [--out environment.md] [--json]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { initBackend } from '../lib/backend';
import { initEngine } from '../lib/engine';
import { REPO_ROOT, collectEnvironment, environmentMarkdown } from '../lib/backend/environment';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const outIdx = args.indexOf('--out');
  const out = outIdx >= 0 ? args[outIdx + 1] : path.join(REPO_ROOT, 'environment.md');
  const backend = await initBackend();
  const record = collectEnvironment(backend, initEngine());
  if (args.includes('--json')) {
    process.stdout.write(JSON.stringify(record, null, 2) + '\n');
    return;
  }
  const md = environmentMarkdown(record);
  fs.writeFileSync(out, md);
  process.stdout.write(md);
  process.stdout.write(`\nwritten to ${path.relative(process.cwd(), out) || out}\n`);
}

main().catch((e) => {
  console.error(`environment: ${(e as Error).message}`);
  process.exit(1);
});
