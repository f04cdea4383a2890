import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../utils/service-process';

/** The README must stand on its own: nothing outside the repository, no link or path to a missing file. */
describe('README.md', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

  it('names no path outside the repository', () => {
    expect(readme).not.toMatch(/(^|[\s`(])\.\.\//m);
    expect(readme).not.toMatch(/(^|[\s`(])\/(work|home|tmp|Users)\//m);
  });

  it('links and names only files that exist', () => {
    const links = [...readme.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1]).filter((target) => !/^[a-z]+:/.test(target));
    const paths = [...readme.matchAll(/`((?:src|test|docs|deploy|bench|\.ci)\/[A-Za-z0-9_./-]+)`/g)].map((m) => m[1]);
    expect(links).toEqual(expect.arrayContaining(['docs/autoheal-guide.md', 'docs/runbook.md']));
    for (const path of [...links, ...paths]) expect([path, existsSync(join(ROOT, path))]).toEqual([path, true]);
  });
});
