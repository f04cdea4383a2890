import { Clock } from '../clock/clock';
import type { SigningScheme } from './signing-settings-store.port';

/**
 * How long an instance signs with settings it looked up. A change through this instance's API takes effect on the next
 * send (EndpointSigning invalidates the entry); one made through another instance is picked up within this time. Short,
 * because until then a replay may go out signed with replaced or deleted settings and be rejected; long enough that a
 * drain sending thousands of replays to one endpoint reads its settings once per 5 s rather than once per send.
 */
export const SIGNING_SETTINGS_TTL_MS = 5_000;
/** Bounds the decrypted secrets held in memory; beyond it the oldest entry goes. */
export const SIGNING_SETTINGS_CACHE_MAX_ENTRIES = 1_000;

/** Settings ready to sign with. The secret is decrypted: it stays in memory and is never logged. */
export interface UsableSigningSettings {
  scheme: SigningScheme;
  header: string | null;
  prefix: string | null;
  secret: string;
}

interface Entry {
  /** Shared by the sends that ask while the lookup is running, so a burst does one lookup too. */
  settings: Promise<UsableSigningSettings | null>;
  loadedAt: number;
}

/** Per tenant+endpoint, null ("no settings") included; a failed lookup is not kept, so the next send tries again. */
export class SigningSettingsCache {
  // Map order is insertion order and an entry is re-inserted when it is loaded again: the first is the oldest lookup.
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs = SIGNING_SETTINGS_TTL_MS,
    private readonly maxEntries = SIGNING_SETTINGS_CACHE_MAX_ENTRIES,
  ) {}

  get(tenantId: string, endpoint: string, load: () => Promise<UsableSigningSettings | null>): Promise<UsableSigningSettings | null> {
    const key = keyOf(tenantId, endpoint);
    const now = this.clock.now().getTime();
    const cached = this.entries.get(key);
    // A clock set back (staging, tests) must not keep an entry beyond its TTL either.
    if (cached && now >= cached.loadedAt && now < cached.loadedAt + this.ttlMs) return cached.settings;

    this.entries.delete(key);
    while (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    const entry: Entry = { settings: load(), loadedAt: now };
    this.entries.set(key, entry);
    entry.settings.catch(() => {
      // Only this lookup's entry: an invalidation and a newer lookup may have replaced it meanwhile.
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return entry.settings;
  }

  /** After a change: the next send looks the settings up again; a lookup still running serves only its waiting sends. */
  invalidate(tenantId: string, endpoint: string): void {
    this.entries.delete(keyOf(tenantId, endpoint));
  }
}

const keyOf = (tenantId: string, endpoint: string) => JSON.stringify([tenantId, endpoint]);
