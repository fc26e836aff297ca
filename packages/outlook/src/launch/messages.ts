// The Outlook add-in's own sentences, in each language core speaks: what the sealing check
// found, the Smart Alerts button, the info bar and the task pane. Core's catalog says the rest.
import { resolveLocale } from "@sealpost/core";

export const en = {
  "alert.open-pane": "Open Sealpost",
  "alert.confirm-unsupported":
    "This version of Outlook cannot ask you to confirm, so Sealpost stops the message: meet the requirements above, or ask IT.",
  "alert.more": "{count} more in the Sealpost pane.",
  "alert.more-recipients": "{count} more",

  "seal.body-outside": "The message text has text outside its encrypted block, which would be sent readable.",
  "seal.not-encrypted": "{part} is not encrypted.",
  "seal.no-integrity": "{part} uses old OpenPGP encryption without integrity protection.",
  "seal.trailing-data": "{part} has readable data after its encrypted part.",
  "seal.password-only": "{part} is encrypted with a password only, not to the recipients' keys.",
  "seal.malformed": "{part} is not a readable OpenPGP message ({reason}).",
  "seal.not-a-file": "{part} is an attached item or link, which cannot be encrypted: attach it as an encrypted file.",
  "seal.unreadable": "{part} could not be read ({reason}).",
  "seal.key-missing": "{part} is not encrypted to the key of {address} ({key}).",
  "seal.key-unknown":
    "Sealpost knows no OpenPGP key for {address}, so it cannot confirm the message is encrypted to them: seal the message in the Sealpost pane, which finds or imports their key, or ask IT to add the key to the policy.",
  "seal.fingerprint-only":
    "The policy pins only a fingerprint for {address} ({key}), which Sealpost cannot match to the encryption subkey the message names: seal the message in the Sealpost pane, which finds that key and records its subkeys, or ask IT to pin the whole public key.",
  "seal.pin-unreadable": "The key the policy pins for {address} cannot be read ({reason}): contact IT.",
  "seal.record-unreadable":
    "Sealpost's record of how this message was sealed cannot be read ({reason}): unseal and seal it again in the Sealpost pane.",
  "seal.subject-changed":
    "The subject was changed after sealing, so it would travel readable: unseal and seal the message again in the Sealpost pane.",
  "seal.body": "The message text",
  "seal.attachment": "The attachment “{name}”",
  "check.unchecked": "Sealpost could not check the message's encryption ({reason}).",
  "check.label-unreadable": "Sealpost could not read the sensitivity label ({reason}).",
  "check.recipients-unreadable": "Sealpost could not read the recipients ({reason}).",

  "info.needs": "Sealpost: mail to {domains} needs {needs} before it can be sent.",
  "info.encrypted": "encryption ({methods})",
  "info.encrypted-any": "encryption",
  "info.https-account": "an Exchange, Microsoft 365, Outlook.com or Gmail account",
  "info.and": "and",
  "info.more-domains": "{domain} and {count} more",
  "info.unavailable": "Sealpost cannot load its policy, so mail outside your organisation will be stopped at Send. Contact IT.",

  "pane.title": "Sealpost",
  "pane.checking": "Checking this message…",
  "pane.recipients": "Recipients",
  "pane.protected": "protected by {rules}",
  "pane.excepted": "not protected (exception in {rules})",
  "pane.unprotected": "not protected",
  "pane.invalid": "not an address Sealpost can read",
  "pane.distribution-list": "a distribution list: Outlook does not tell Sealpost its members",
  "pane.account": "Sending account",
  "pane.account-https": "{type} account: reaches its server over HTTPS",
  "pane.account-unknown": "Unknown: {reason}",
  "pane.encryption": "Encryption",
  "pane.encryption-none": "Not encrypted",
  "pane.encryption-openpgp": "Sealed with OpenPGP to {keys}",
  "pane.encryption-label": "Sensitivity label {label}",
  "pane.todo": "What to do",
  "pane.nothing-to-do": "Nothing: the message meets the policy.",
  "pane.policy": "Policy",
  "pane.policy-none": "No policy is active; nothing is checked.",
  "pane.policy-active": "{rules} rules, from {source}",
  "pane.policy-unavailable": "Unavailable: {reason}",
  "pane.source-built-in": "the add-in itself",
  "pane.source-server": "the add-in's server",
  "pane.source-cache": "a saved copy (the server did not answer)",
  "pane.refresh": "Check again",
  "pane.error": "Sealpost could not check this message: {reason}",
} as const;

export type OutlookMessageKey = keyof typeof en;
type Catalog = { readonly [K in OutlookMessageKey]: string };

export const de: Catalog = {
  "alert.open-pane": "Sealpost öffnen",
  "alert.confirm-unsupported":
    "Diese Outlook-Version kann nicht um Bestätigung bitten, daher hält Sealpost die Nachricht an: Erfüllen Sie die Anforderungen oben oder fragen Sie die IT.",
  "alert.more": "{count} weitere im Sealpost-Bereich.",
  "alert.more-recipients": "{count} weitere",

  "seal.body-outside": "Der Nachrichtentext enthält Text außerhalb des verschlüsselten Blocks, der lesbar versendet würde.",
  "seal.not-encrypted": "{part} ist nicht verschlüsselt.",
  "seal.no-integrity": "{part} nutzt veraltete OpenPGP-Verschlüsselung ohne Integritätsschutz.",
  "seal.trailing-data": "{part} enthält nach dem verschlüsselten Teil lesbare Daten.",
  "seal.password-only": "{part} ist nur mit einem Kennwort verschlüsselt, nicht für die Schlüssel der Empfänger.",
  "seal.malformed": "{part} ist keine lesbare OpenPGP-Nachricht ({reason}).",
  "seal.not-a-file":
    "{part} ist ein angehängtes Element oder ein Link und kann nicht verschlüsselt werden: Hängen Sie es als verschlüsselte Datei an.",
  "seal.unreadable": "{part} konnte nicht gelesen werden ({reason}).",
  "seal.key-missing": "{part} ist nicht für den Schlüssel von {address} ({key}) verschlüsselt.",
  "seal.key-unknown":
    "Sealpost kennt keinen OpenPGP-Schlüssel für {address} und kann daher nicht bestätigen, dass die Nachricht für diese Adresse verschlüsselt ist: Versiegeln Sie die Nachricht im Sealpost-Bereich, der den Schlüssel sucht oder importiert, oder bitten Sie die IT, den Schlüssel in die Richtlinie aufzunehmen.",
  "seal.fingerprint-only":
    "Die Richtlinie nennt für {address} nur einen Fingerabdruck ({key}), den Sealpost nicht dem Verschlüsselungs-Unterschlüssel der Nachricht zuordnen kann: Versiegeln Sie die Nachricht im Sealpost-Bereich, der diesen Schlüssel sucht und seine Unterschlüssel festhält, oder bitten Sie die IT, den ganzen öffentlichen Schlüssel zu hinterlegen.",
  "seal.pin-unreadable": "Der Schlüssel, den die Richtlinie für {address} vorgibt, ist nicht lesbar ({reason}): Wenden Sie sich an die IT.",
  "seal.record-unreadable":
    "Sealposts Aufzeichnung, wie diese Nachricht versiegelt wurde, ist nicht lesbar ({reason}): Entsiegeln Sie die Nachricht im Sealpost-Bereich und versiegeln Sie sie erneut.",
  "seal.subject-changed":
    "Der Betreff wurde nach dem Versiegeln geändert und würde lesbar versendet: Entsiegeln Sie die Nachricht im Sealpost-Bereich und versiegeln Sie sie erneut.",
  "seal.body": "Der Nachrichtentext",
  "seal.attachment": "Der Anhang „{name}“",
  "check.unchecked": "Sealpost konnte die Verschlüsselung der Nachricht nicht prüfen ({reason}).",
  "check.label-unreadable": "Sealpost konnte die Vertraulichkeitsbezeichnung nicht lesen ({reason}).",
  "check.recipients-unreadable": "Sealpost konnte die Empfänger nicht lesen ({reason}).",

  "info.needs": "Sealpost: E-Mails an {domains} brauchen vor dem Senden {needs}.",
  "info.encrypted": "Verschlüsselung ({methods})",
  "info.encrypted-any": "Verschlüsselung",
  "info.https-account": "ein Exchange-, Microsoft 365-, Outlook.com- oder Gmail-Konto",
  "info.and": "und",
  "info.more-domains": "{domain} und {count} weitere",
  "info.unavailable":
    "Sealpost kann seine Richtlinie nicht laden; E-Mails außerhalb Ihrer Organisation werden beim Senden angehalten. Wenden Sie sich an die IT.",

  "pane.title": "Sealpost",
  "pane.checking": "Diese Nachricht wird geprüft …",
  "pane.recipients": "Empfänger",
  "pane.protected": "geschützt durch {rules}",
  "pane.excepted": "nicht geschützt (Ausnahme in {rules})",
  "pane.unprotected": "nicht geschützt",
  "pane.invalid": "keine Adresse, die Sealpost lesen kann",
  "pane.distribution-list": "eine Verteilerliste: Outlook nennt Sealpost ihre Mitglieder nicht",
  "pane.account": "Sendendes Konto",
  "pane.account-https": "{type}-Konto: erreicht seinen Server über HTTPS",
  "pane.account-unknown": "Unbekannt: {reason}",
  "pane.encryption": "Verschlüsselung",
  "pane.encryption-none": "Nicht verschlüsselt",
  "pane.encryption-openpgp": "Mit OpenPGP versiegelt für {keys}",
  "pane.encryption-label": "Vertraulichkeitsbezeichnung {label}",
  "pane.todo": "Was zu tun ist",
  "pane.nothing-to-do": "Nichts: Die Nachricht erfüllt die Richtlinie.",
  "pane.policy": "Richtlinie",
  "pane.policy-none": "Keine Richtlinie aktiv; es wird nichts geprüft.",
  "pane.policy-active": "{rules} Regeln, von {source}",
  "pane.policy-unavailable": "Nicht verfügbar: {reason}",
  "pane.source-built-in": "dem Add-in selbst",
  "pane.source-server": "dem Server des Add-ins",
  "pane.source-cache": "einer gespeicherten Kopie (der Server hat nicht geantwortet)",
  "pane.refresh": "Erneut prüfen",
  "pane.error": "Sealpost konnte diese Nachricht nicht prüfen: {reason}",
};

export const catalogs: Readonly<Record<string, Catalog>> = { en, de };

/** A sentence to be said in the user's language later, once the language is known. */
export interface Note {
  readonly key: OutlookMessageKey;
  /** Placeholder values; a value that is itself a note is said in the same language. */
  readonly values?: Readonly<Record<string, string | Note>>;
}

/** Fills `{name}` placeholders; a missing value stays visible rather than throwing. */
export function say(locale: string, key: OutlookMessageKey, values: Readonly<Record<string, string>> = {}): string {
  const resolved = resolveLocale(locale);
  const catalog = Object.prototype.hasOwnProperty.call(catalogs, resolved) ? (catalogs[resolved] ?? en) : en;
  return catalog[key].replace(/\{([a-z]+)\}/g, (match, name: string) => values[name] ?? match);
}

export function sayNote(locale: string, note: Note): string {
  const values: Record<string, string> = {};
  for (const name of Object.keys(note.values ?? {})) {
    const value = note.values?.[name] ?? "";
    values[name] = typeof value === "string" ? value : sayNote(locale, value);
  }
  return say(locale, note.key, values);
}
