import { Inject, Module, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../clock/clock';
import { AppConfig } from '../config/app-config';
import { EndpointSigning } from './endpoint-signing.service';
import { ReplaySigner } from './replay-signer.service';
import { SecretCipher } from './secret-cipher';
import { SigningSettingsCache } from './signing-settings-cache';
import { SigningController } from './signing.controller';
import { SigningSettingsStore } from './signing-settings-store.port';
import { SqlSigningSettingsStore } from './sql-signing-settings-store.adapter';

const SECRET_CIPHER = Symbol('SECRET_CIPHER');

@Module({
  controllers: [SigningController],
  providers: [
    {
      provide: SigningSettingsStore,
      inject: [DataSource],
      useFactory: (dataSource: DataSource) => new SqlSigningSettingsStore(dataSource),
    },
    {
      provide: SECRET_CIPHER,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => (config.signingKeys ? new SecretCipher(config.signingKeys) : null),
    },
    {
      provide: SigningSettingsCache,
      inject: [Clock],
      useFactory: (clock: Clock) => new SigningSettingsCache(clock),
    },
    {
      provide: EndpointSigning,
      inject: [SigningSettingsStore, SECRET_CIPHER, Clock, SigningSettingsCache],
      useFactory: (store: SigningSettingsStore, cipher: SecretCipher | null, clock: Clock, cache: SigningSettingsCache) =>
        new EndpointSigning(store, cipher, clock, cache),
    },
    {
      provide: ReplaySigner,
      inject: [SigningSettingsStore, SECRET_CIPHER, Clock, SigningSettingsCache],
      useFactory: (store: SigningSettingsStore, cipher: SecretCipher | null, clock: Clock, cache: SigningSettingsCache) =>
        new ReplaySigner(store, cipher, clock, cache),
    },
  ],
  exports: [SigningSettingsStore, ReplaySigner],
})
export class SigningModule implements OnApplicationBootstrap {
  constructor(
    private readonly store: SigningSettingsStore,
    @Inject(SECRET_CIPHER) private readonly cipher: SecretCipher | null,
  ) {}

  /** SIGNING_KEYS is needed only once settings exist; then every key they were written under must be there. */
  async onApplicationBootstrap(): Promise<void> {
    const usage = await this.store.keyUsage();
    const rows = [...usage.values()].reduce((sum, n) => sum + n, 0);
    if (rows === 0) return;
    if (!this.cipher) {
      throw new Error(
        `SIGNING_KEYS is not set, but ${rows} endpoint(s) have signing settings whose secrets it encrypts; ` +
          'set SIGNING_KEYS to the keys they were written under (GET /autoheal/endpoints/signing lists their key_id)',
      );
    }
    const missing = [...usage.keys()].filter((id) => !this.cipher!.has(id));
    if (missing.length > 0) {
      const ids = missing.map((id) => `"${id}"`).join(', ');
      const counts = missing.map((id) => usage.get(id)).join(', ');
      throw new Error(
        `SIGNING_KEYS lacks key id(s) ${ids}, used by ${counts} signing setting(s); keep an old key in SIGNING_KEYS ` +
          '(after the current one) until POST /autoheal/endpoints/signing/reencrypt has moved them',
      );
    }
  }
}
