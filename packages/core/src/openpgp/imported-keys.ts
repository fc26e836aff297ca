// The keys the user imported, as a source: of the store's armored keys it hands over only those
// that claim the address, so that the finder's "not for this address" means a source served a
// key in someone else's name, not that the user also holds other people's keys.
import type { KeySource } from "./key-source.js";
import { inspectKeys } from "./read-keys.js";

export function importedKeysSource(store: { list(): Promise<readonly string[]> }): KeySource {
  return {
    name: "imported",
    async lookup(address) {
      const matching: string[] = [];
      for (const armored of await store.list()) {
        const keys = await inspectKeys(armored, new Date());
        if (keys.some((key) => key.claimed.includes(address))) matching.push(armored);
      }
      return matching.length === 0 ? null : matching.join("\n");
    },
  };
}
