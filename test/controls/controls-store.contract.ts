import { ControlsStore } from '../../src/controls/controls-store.port';
import { DEFAULT_RULES } from '../../src/rules/rules.defaults';

export interface ControlsStoreUnderTest {
  store: ControlsStore;
  dispose(): Promise<void>;
}

const safety = DEFAULT_RULES.global_safety;
const at = (minute: number) => new Date(Date.UTC(2026, 10, 27, 12, minute));

/** The behaviour every ControlsStore adapter must share; the tests run in order on one store. */
export function describeControlsStoreContract(name: string, factory: () => Promise<ControlsStoreUnderTest>): void {
  describe(`ControlsStore contract: ${name}`, () => {
    let subject: ControlsStoreUnderTest;
    let store: ControlsStore;

    beforeAll(async () => {
      subject = await factory();
      store = subject.store;
    });
    afterAll(() => subject?.dispose());

    it('has no override until one is set: the rules file decides', async () => {
      expect(await store.get()).toBeNull();
      expect(await store.effective(safety)).toEqual({
        autoheal_enabled: safety.autoheal_enabled,
        dry_run: safety.dry_run,
        reason: null,
        override: null,
      });
    });

    it('turns the kill switch off with a reason, and says who and when', async () => {
      const override = await store.set({ autoheal_enabled: false, reason: 'vendor outage' }, 'admin-carol', at(1));
      expect(override).toEqual({
        autoheal_enabled: false,
        dry_run: null,
        reason: 'vendor outage',
        updated_by: 'admin-carol',
        updated_at: at(1),
      });
      expect(await store.get()).toEqual(override);
      expect(await store.effective(safety)).toEqual({
        autoheal_enabled: false,
        dry_run: safety.dry_run,
        reason: 'vendor outage',
        override,
      });
    });

    it('keeps fields left out, and a reason changed alone keeps the switches', async () => {
      await store.set({ dry_run: true, reason: 'rehearsal' }, 'admin-dan', at(2));
      const override = await store.set({ reason: 'rehearsal, day 2' }, 'admin-erin', at(3));
      expect(override).toEqual({
        autoheal_enabled: false,
        dry_run: true,
        reason: 'rehearsal, day 2',
        updated_by: 'admin-erin',
        updated_at: at(3),
      });
    });

    it('clears the reason when a switch changes without one', async () => {
      expect(await store.set({ dry_run: false }, 'admin-carol', at(4))).toMatchObject({
        autoheal_enabled: false,
        dry_run: false,
        reason: null,
      });
    });

    it('hands a field back to the rules file with null', async () => {
      await store.set({ autoheal_enabled: null, dry_run: null }, 'admin-carol', at(5));
      expect(await store.effective(safety)).toMatchObject({
        autoheal_enabled: safety.autoheal_enabled,
        dry_run: safety.dry_run,
        reason: null,
        override: { autoheal_enabled: null, dry_run: null, updated_by: 'admin-carol', updated_at: at(5) },
      });
    });

    it('returns copies: changing a returned override changes nothing stored', async () => {
      const override = await store.set({ autoheal_enabled: false }, 'admin-carol', at(6));
      override.autoheal_enabled = true;
      (await store.get())!.reason = 'tampered';
      expect(await store.get()).toMatchObject({ autoheal_enabled: false, reason: null });
    });
  });
}
