import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getMetadataStorage } from 'class-validator';
import { parse } from 'yaml';
import { EnvironmentVariables } from '../../src/config/env.schema';
import { loadRules } from '../../src/rules/rules.loader';
import { ROOT } from '../utils/service-process';

interface ComposeService {
  image?: string;
  build?: string | { context: string };
  environment?: Record<string, string | number | boolean | null> | string[];
  volumes?: Array<string | { type: string; source: string; target: string }>;
  depends_on?: string[] | Record<string, { condition: string }>;
  ports?: string[];
  command?: string | string[];
}

interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as ComposeFile;

/** The variables of README.md's configuration table (`PORT` / `HOST` rows count twice). */
function readmeVariables(): string[] {
  const lines = readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n');
  const header = lines.findIndex((line) => /^\| variable \| default \| meaning \|$/.test(line));
  expect(header).toBeGreaterThan(0);
  const rows = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line);
  }
  return rows.flatMap((row) => [...row.split('|')[1].matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]));
}

/** Every property of the validated environment class: what the service reads. */
function schemaVariables(): string[] {
  const metadata = getMetadataStorage().getTargetValidationMetadatas(EnvironmentVariables, '', true, false);
  return [...new Set(metadata.map((m) => m.propertyName))];
}

function environmentOf(service: ComposeService): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) return Object.fromEntries(env.map((entry) => [entry.split('=')[0], entry.split('=').slice(1).join('=')]));
  return Object.fromEntries(Object.entries(env).map(([key, value]) => [key, value === null ? '' : String(value)]));
}

/** `source:target[:mode]` or the long form, as {source, target}. */
function mountsOf(service: ComposeService): Array<{ source: string; target: string }> {
  return (service.volumes ?? []).map((volume) => {
    if (typeof volume !== 'string') return { source: volume.source, target: volume.target };
    const [source, target] = volume.split(':');
    return { source, target };
  });
}

describe('docker-compose.yml', () => {
  it('has a valid structure: services built or pulled, environments as maps, known dependencies and volumes', () => {
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['postgres', 'redis', 'autoheal', 'prometheus']));
    for (const [name, service] of Object.entries(compose.services)) {
      expect([name, Boolean(service.image || service.build)]).toEqual([name, true]);
      const dependencies = Array.isArray(service.depends_on) ? service.depends_on : Object.keys(service.depends_on ?? {});
      for (const dependency of dependencies) expect(Object.keys(compose.services)).toContain(dependency);
      for (const { source } of mountsOf(service)) {
        if (source.startsWith('.')) expect([name, source, existsSync(join(ROOT, source))]).toEqual([name, source, true]);
        else expect(Object.keys(compose.volumes ?? {})).toContain(source);
      }
      for (const port of service.ports ?? []) expect(port).toMatch(/^\d+:\d+$/);
      for (const value of Object.values(environmentOf(service))) {
        // Docker Compose interpolation: $$ or ${NAME}, ${NAME:-default}, ${NAME:?message}; a lone $ is an error.
        expect(value.replace(/\$\$|\$\{[A-Z_][A-Z0-9_]*(?::?[-?][^}]*)?\}/g, '')).not.toContain('$');
      }
    }
    expect(compose.services.autoheal.build).toBe('.');
    expect(existsSync(join(ROOT, 'Dockerfile'))).toBe(true);
  });

  it("documents every variable the service reads in README.md's configuration table", () => {
    expect(readmeVariables().sort()).toEqual(schemaVariables().sort());
  });

  it('gives the service every variable of the configuration table', () => {
    const env = environmentOf(compose.services.autoheal);
    const variables = readmeVariables();
    expect(variables.length).toBeGreaterThan(15);
    for (const variable of variables) expect(Object.keys(env)).toContain(variable);
    expect(env).toMatchObject({ NODE_ENV: 'production', LOG_FORMAT: '${LOG_FORMAT:-json}' });
  });

  it('mounts a rules file at AUTOHEAL_CONFIG_FILE, one the rules loader accepts', () => {
    const configFile = environmentOf(compose.services.autoheal).AUTOHEAL_CONFIG_FILE;
    const mount = mountsOf(compose.services.autoheal).find(({ target }) => target === configFile);
    expect(mount).toEqual({ source: './deploy/autoheal.rules.json', target: '/etc/autoheal/rules.json' });
    const rules = loadRules(join(ROOT, mount!.source));
    expect(rules.global_safety.max_heals_per_hour).toBe(50);
  });

  it('runs Prometheus on the shipped config and alert rules (promtool check config)', () => {
    const prometheus = compose.services.prometheus;
    const mount = mountsOf(prometheus).find(({ source }) => source === './deploy/prometheus');
    expect(mount).toBeDefined();
    const configArg = ([] as string[]).concat(prometheus.command ?? []).find((arg) => arg.startsWith('--config.file='));
    expect(configArg).toBe(`--config.file=${mount!.target}/prometheus.yml`);
    const cwd = join(ROOT, 'deploy', 'prometheus');
    const check = spawnSync('promtool', ['check', 'config', 'prometheus.yml'], { cwd, encoding: 'utf8' });
    if (check.error) throw new Error("promtool is not installed: install Debian's prometheus package (apt-get install -y prometheus)");
    expect(`${check.stdout}${check.stderr}`).toMatch(/SUCCESS: 8 rules found/);
    expect(check.status).toBe(0);
  });
});
