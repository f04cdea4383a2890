import { Global, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppConfig } from '../config/app-config';
import { DEFAULT_RULES } from './rules.defaults';
import { RulesModule } from './rules.module';
import { RulesSource } from './rules.source';

function bootWith(env: Record<string, string>) {
  @Global()
  @Module({ providers: [{ provide: AppConfig, useValue: AppConfig.fromEnv(env) }], exports: [AppConfig] })
  class ConfigFixture {}
  return Test.createTestingModule({ imports: [ConfigFixture, RulesModule] }).compile();
}

describe('RulesModule', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'autoheal-rules-module-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('provides the defaults without AUTOHEAL_CONFIG_FILE', async () => {
    const moduleRef = await bootWith({});
    expect(moduleRef.get(RulesSource).current()).toEqual(DEFAULT_RULES);
  });

  it('provides the rules from AUTOHEAL_CONFIG_FILE', async () => {
    const file = join(dir, 'rules.json');
    writeFileSync(file, JSON.stringify({ global_safety: { autoheal_enabled: false } }));
    const moduleRef = await bootWith({ AUTOHEAL_CONFIG_FILE: file });
    expect(moduleRef.get(RulesSource).current().global_safety.autoheal_enabled).toBe(false);
  });

  it('refuses to boot with a bad file, naming the key', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ global_safety: { max_concurent_heals: 3 } }));
    await expect(bootWith({ AUTOHEAL_CONFIG_FILE: file })).rejects.toThrow(/global_safety\.max_concurent_heals: unknown key/);
  });
});
