import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { SAFETY_CHECKS } from '../../src/engine/safety-checks';
import { ROOT } from '../utils/service-process';

const runbook = readFileSync(join(ROOT, 'docs', 'runbook.md'), 'utf8');

/** The runbook's `### ` sections by heading, each with its text up to the next heading. */
function sections(): Map<string, string> {
  const result = new Map<string, string>();
  for (const part of runbook.split(/^### /m).slice(1)) {
    const [heading, ...body] = part.split('\n');
    result.set(heading.trim(), body.join('\n').split(/^## /m)[0]);
  }
  return result;
}

/** Every `check: '…'` a skipped action can carry, wherever it is written in src/ (specs aside). */
function checkNamesInSource(): string[] {
  const names = new Set<string>(SAFETY_CHECKS.map(([name]) => name));
  const isSource = (name: string) => name.endsWith('.ts') && !name.endsWith('.spec.ts');
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? walk(join(dir, entry.name)) : isSource(entry.name) ? [join(dir, entry.name)] : [],
    );
  for (const file of walk(join(ROOT, 'src'))) {
    for (const match of readFileSync(file, 'utf8').matchAll(/\bcheck: '([a-z_]+)'/g)) names.add(match[1]);
  }
  return [...names];
}

describe('docs/runbook.md', () => {
  it('explains every skip reason (check), with what it means and what to do', () => {
    const names = checkNamesInSource();
    expect(names).toEqual(expect.arrayContaining(['coordination', 'hourly_cap', 'already_escalated', 'replay_claim', 'error']));
    const all = sections();
    for (const name of names) {
      const body = all.get(`\`${name}\``);
      expect([name, body !== undefined]).toEqual([name, true]);
      expect([name, /\*\*Do:\*\*/.test(body!)]).toEqual([name, true]);
    }
  });

  it('has a section for every alert in the rules, which the alert points to, with at least three commands', () => {
    const rules = parse(readFileSync(join(ROOT, 'deploy', 'prometheus', 'autoheal.rules.yml'), 'utf8')) as {
      groups: Array<{ rules: Array<{ alert: string; annotations: Record<string, string> }> }>;
    };
    const alerts = rules.groups.flatMap((group) => group.rules);
    expect(alerts).toHaveLength(8);
    const all = sections();
    for (const { alert, annotations } of alerts) {
      expect(annotations.runbook).toBe(`docs/runbook.md#${alert.toLowerCase()}`);
      const body = all.get(alert);
      expect([alert, body !== undefined]).toEqual([alert, true]);
      const commands =
        /```bash\n([\s\S]*?)```/
          .exec(body!)?.[1]
          .split('\n')
          .filter((line) => line.trim() !== '') ?? [];
      expect([alert, commands.length >= 3]).toEqual([alert, true]);
    }
  });
});
