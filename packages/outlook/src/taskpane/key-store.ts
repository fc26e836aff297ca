// The keys the user imports, kept in Office.context.roamingSettings so that they follow the
// mailbox to every Outlook the user signs in to. Outlook keeps at most 32 KB of settings per
// add-in; the store refuses an import that would pass its own share of that, rather than lose a key.
import type { KeyInfo, KeyProblem, KeyRead } from "@sealpost/core/openpgp";
import type { RoamingStore } from "../host/office-compose.js";

export const KEYS_SETTING = "sealpost.importedKeys";
/** Our share of the 32 KB of roaming settings, leaving room for the settings' own encoding. */
export const KEYS_LIMIT = 30_000;

export type ImportResult =
  | { readonly ok: true; readonly imported: readonly KeyInfo[]; readonly refused: readonly KeyProblem[] }
  | {
      readonly ok: false;
      readonly code: "none" | "no-address" | "full" | "refused" | "failed";
      readonly problem?: KeyProblem;
      readonly reason?: string;
    };

export interface ImportedKeyStore {
  /** The armored keys, for importedKeysSource. */
  list(): Promise<readonly string[]>;
  /** The keys as read now (an expired key still shows, so that the user can remove it). */
  keys(): Promise<readonly KeyRead[]>;
  add(input: string | Uint8Array): Promise<ImportResult>;
  remove(fingerprint: string): Promise<void>;
}

export function createImportedKeyStore(settings: RoamingStore, read: (input: string | Uint8Array) => Promise<KeyRead[]>): ImportedKeyStore {
  const stored = (): string[] => {
    const text = settings.get(KEYS_SETTING);
    if (text === undefined) return [];
    try {
      const value: unknown = JSON.parse(text);
      return Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === "string") : [];
    } catch {
      // A damaged setting is not a key; the next import replaces it.
      return [];
    }
  };
  const write = async (keys: readonly string[]) => {
    if (keys.length === 0) settings.remove(KEYS_SETTING);
    else settings.set(KEYS_SETTING, JSON.stringify(keys));
    await settings.save();
  };
  const fingerprints = async (armored: readonly string[]) =>
    Promise.all(armored.map(async (key) => (await read(key)).map((entry) => (entry.ok ? entry.key.fingerprint : entry.fingerprint))));

  return {
    list: () => Promise.resolve(stored()),
    keys: async () => (await Promise.all(stored().map((key) => read(key)))).flat(),
    add: async (input) => {
      const results = await read(input);
      const usable = results.flatMap((result) => (result.ok ? [result.key] : []));
      const refused = results.flatMap((result) => (result.ok ? [] : [result.problem]));
      if (results.length === 0) return { ok: false, code: "none" };
      if (usable.length === 0) return { ok: false, code: "refused", ...(refused[0] === undefined ? {} : { problem: refused[0] }) };
      const named = usable.filter((key) => key.addresses.length > 0);
      if (named.length === 0) return { ok: false, code: "no-address" };
      // A key imported again replaces its older copy (new user IDs, a later expiry).
      const current = stored();
      const prints = await fingerprints(current);
      const incoming = new Set(named.map((key) => key.fingerprint));
      const kept = current.filter((_, index) => !(prints[index] ?? []).some((print) => print !== undefined && incoming.has(print)));
      const next = [...kept, ...named.map((key) => key.armored)];
      if (JSON.stringify(next).length > KEYS_LIMIT) return { ok: false, code: "full" };
      try {
        await write(next);
      } catch (error) {
        // The setting in memory must not claim what the mailbox did not keep.
        await write(current).catch(() => undefined);
        return { ok: false, code: "failed", reason: error instanceof Error ? error.message : String(error) };
      }
      return { ok: true, imported: named, refused };
    },
    remove: async (fingerprint) => {
      const current = stored();
      const prints = await fingerprints(current);
      await write(current.filter((_, index) => !(prints[index] ?? []).includes(fingerprint)));
    },
  };
}
