// The order in which the pane's key finder asks for a recipient's key, after the policy's pin:
// the recipient's own domain (WKD), keys.openpgp.org, and only then the keys the user imported.
import { type FetchLike, importedKeysSource, type KeySource, keysOpenpgpOrgSource, wkdSource } from "@sealpost/core/openpgp";

/**
 * A key the user pasted in comes last: anyone can make a key in a bank's name and mail it with
 * "please use our new key", while the bank's Web Key Directory is served by the bank's domain.
 * An imported key serves where the directories have none.
 */
export function paneKeySources(fetch: FetchLike, imported: { list(): Promise<readonly string[]> } | undefined): KeySource[] {
  return [wkdSource({ fetch }), keysOpenpgpOrgSource({ fetch }), ...(imported === undefined ? [] : [importedKeysSource(imported)])];
}
