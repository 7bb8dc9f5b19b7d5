// Prints the sha256 of each data file an experiment config reads (data.files), for Nx to hash as a
// runtime input: files outside the workspace are otherwise invisible to Nx's cache.
const { createHash } = require('node:crypto');
const { readFileSync, existsSync } = require('node:fs');

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
for (const entry of config.data?.files ?? []) {
  const path = typeof entry === 'string' ? entry : entry.path;
  const digest = existsSync(path) ? createHash('sha256').update(readFileSync(path)).digest('hex') : 'absent';
  console.log(`${digest}  ${path}`);
}
