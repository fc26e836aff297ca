// The keys the user imported, as a source: the store hands over armored keys and the finder keeps
// only those whose valid user IDs carry the address.
import type { KeySource } from "./key-source.js";

export function importedKeysSource(store: { list(): Promise<readonly string[]> }): KeySource {
  return {
    name: "imported",
    lookup: async () => {
      const keys = await store.list();
      return keys.length === 0 ? null : keys.join("\n");
    },
  };
}
