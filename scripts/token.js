#!/usr/bin/env node
'use strict';
// `npm run token`: mints with the built CLI. It compiles only when a source is newer than the build,
// with tsc in place: it never deletes dist/, which a running test suite or service may be using.
const { spawnSync } = require('node:child_process');
const { existsSync, readdirSync, statSync, utimesSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const cli = join(root, 'dist', 'src', 'auth', 'cli', 'mint-token.js');
const INPUTS = ['src', 'bench', 'ormconfig.ts', 'package.json', 'tsconfig.json', 'tsconfig.build.json'];

function newestInput(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return path.endsWith('.spec.ts') ? 0 : stat.mtimeMs;
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestInput(join(path, name))), 0);
}

// A production image ships dist/ without sources: nothing to compare, nothing to compile.
const hasSources = existsSync(join(root, 'src'));
const stale =
  !existsSync(cli) || (hasSources && Math.max(...INPUTS.map((input) => newestInput(join(root, input)))) > statSync(cli).mtimeMs);
if (stale) {
  if (!hasSources) {
    process.stderr.write(`${cli} is missing and there are no sources to build it from\n`);
    process.exit(1);
  }
  process.stderr.write('dist/ is older than the sources: compiling (tsc -p tsconfig.build.json)...\n');
  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: ['ignore', process.stderr, process.stderr],
  });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
  // tsc is incremental and rewrites only what changed: the CLI's own file dates the build.
  const now = new Date();
  utimesSync(cli, now, now);
}
require(cli);
