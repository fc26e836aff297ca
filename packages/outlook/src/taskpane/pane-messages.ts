// The task pane's sentences for keys, Seal, Unseal and key import, in each language core speaks
// (the check's own sentences are in launch/messages.ts).
import { resolveLocale } from "@sealpost/core";

export const paneEn = {
  "keys.looking": "looking for a key…",
  "keys.found": "key {fingerprint} from {source}",
  "keys.missing": "no key found (tried: {tried})",
  "keys.missing-none": "no key found (no key source is set up)",
  "keys.refused": "key from {source} refused: {reason}",
  "keys.not-needed": "no key needed",
  "keys.unavailable": "keys could not be looked up: {reason}",
  "keys.sealed-to": "the message will be encrypted to it",
  "source.policy": "the policy",
  "source.wkd": "the recipient's Web Key Directory",
  "source.keys.openpgp.org": "keys.openpgp.org",
  "source.imported": "your imported keys",

  "seal.button": "Seal",
  "unseal.button": "Unseal",
  "seal.hint": "Encrypts the text and every attachment to the recipients' keys; Unseal puts the original back until you send.",
  "seal.why-missing": "Seal is unavailable: no usable key for {addresses}.",
  "seal.why-sealed": "The message is sealed. Unseal to edit it.",
  "seal.why-no-recipients": "Seal is unavailable: add the recipients first.",
  "seal.why-busy": "Please wait…",
  "seal.why-no-support":
    "Seal needs Outlook with Mailbox 1.11 (sessionData), which this Outlook does not offer, so Sealpost could not put the original back.",
  "unseal.why-not-sealed": "The message is not sealed.",
  "seal.working": "Sealing the message…",
  "unseal.working": "Unsealing the message…",
  "seal.done": "Sealed: the text and {count} attachments are encrypted to {keys}.",
  "unseal.done": "Unsealed: the original message is back.",
  "seal.subject-protected": "The subject now reads “{subject}”; the real one travels encrypted.",
  "flow.already-sealed": "The message is already sealed.",
  "flow.not-sealed": "The message is not sealed by Sealpost, so there is nothing to unseal.",
  "flow.not-a-file": "“{name}” is an attached item or link, which Sealpost cannot encrypt: remove it, or attach it as a file.",
  "flow.too-big": "{part} would be over Outlook's limit of {limit} once encrypted; nothing was changed.",
  "flow.record-too-big":
    "Sealpost could not keep the way back to the original ({size} characters; Outlook keeps at most {limit} for an add-in), so it did not seal.",
  "flow.changed": "{part} changed after sealing ({reason}), so Sealpost cannot put the original back; nothing was changed.",
  "flow.failed": "Sealpost stopped while {step} ({reason}); the message is as it was.",
  "flow.failed-leftover":
    "Sealpost stopped while {step} ({reason}) and could not undo everything: {left}. Check the message before sending.",
  "flow.body": "The message text",
  "subject.neutral": "Encrypted message",

  "import.title": "Import a key",
  "import.paste": "OpenPGP public key (paste it here)",
  "import.file": "Or choose a key file",
  "import.button": "Import key",
  "import.why-empty": "Paste a key or choose a file first.",
  "import.done": "Imported {fingerprint} for {addresses}.",
  "import.refused": "This key cannot be used: {reason}",
  "import.none": "No OpenPGP public key was found in what you gave.",
  "import.no-address": "The key names no e-mail address, so Sealpost cannot tell whom it is for.",
  "import.full": "Your saved keys would be over Outlook's 32 KB for add-in settings: remove a key first.",
  "import.failed": "The key could not be saved: {reason}",
  "imported.title": "Your imported keys",
  "imported.none": "None yet.",
  "imported.remove": "Remove {fingerprint}",
  "imported.removed": "Removed {fingerprint}.",
} as const;

export type PaneMessageKey = keyof typeof paneEn;
type Catalog = { readonly [K in PaneMessageKey]: string };

export const paneDe: Catalog = {
  "keys.looking": "Schlüssel wird gesucht …",
  "keys.found": "Schlüssel {fingerprint} aus {source}",
  "keys.missing": "kein Schlüssel gefunden (versucht: {tried})",
  "keys.missing-none": "kein Schlüssel gefunden (keine Schlüsselquelle eingerichtet)",
  "keys.refused": "Schlüssel aus {source} abgelehnt: {reason}",
  "keys.not-needed": "kein Schlüssel nötig",
  "keys.unavailable": "Schlüssel konnten nicht gesucht werden: {reason}",
  "keys.sealed-to": "die Nachricht wird für ihn verschlüsselt",
  "source.policy": "der Richtlinie",
  "source.wkd": "dem Web Key Directory des Empfängers",
  "source.keys.openpgp.org": "keys.openpgp.org",
  "source.imported": "Ihren importierten Schlüsseln",

  "seal.button": "Versiegeln",
  "unseal.button": "Entsiegeln",
  "seal.hint":
    "Verschlüsselt den Text und jeden Anhang für die Schlüssel der Empfänger; Entsiegeln stellt bis zum Senden das Original wieder her.",
  "seal.why-missing": "Versiegeln ist nicht möglich: kein nutzbarer Schlüssel für {addresses}.",
  "seal.why-sealed": "Die Nachricht ist versiegelt. Entsiegeln Sie sie, um sie zu bearbeiten.",
  "seal.why-no-recipients": "Versiegeln ist nicht möglich: Fügen Sie zuerst die Empfänger hinzu.",
  "seal.why-busy": "Bitte warten …",
  "seal.why-no-support":
    "Versiegeln braucht Outlook mit Mailbox 1.11 (sessionData), das dieses Outlook nicht bietet; Sealpost könnte das Original nicht wiederherstellen.",
  "unseal.why-not-sealed": "Die Nachricht ist nicht versiegelt.",
  "seal.working": "Die Nachricht wird versiegelt …",
  "unseal.working": "Die Nachricht wird entsiegelt …",
  "seal.done": "Versiegelt: Der Text und {count} Anhänge sind verschlüsselt für {keys}.",
  "unseal.done": "Entsiegelt: Die ursprüngliche Nachricht ist wiederhergestellt.",
  "seal.subject-protected": "Der Betreff lautet jetzt „{subject}“; der echte reist verschlüsselt mit.",
  "flow.already-sealed": "Die Nachricht ist bereits versiegelt.",
  "flow.not-sealed": "Die Nachricht wurde nicht von Sealpost versiegelt; es gibt nichts zu entsiegeln.",
  "flow.not-a-file":
    "„{name}“ ist ein angehängtes Element oder ein Link, das Sealpost nicht verschlüsseln kann: Entfernen Sie es oder hängen Sie es als Datei an.",
  "flow.too-big": "{part} wäre verschlüsselt über Outlooks Grenze von {limit}; es wurde nichts geändert.",
  "flow.record-too-big":
    "Sealpost konnte den Weg zurück zum Original nicht speichern ({size} Zeichen; Outlook bewahrt für ein Add-in höchstens {limit} auf) und hat daher nicht versiegelt.",
  "flow.changed":
    "{part} wurde nach dem Versiegeln geändert ({reason}); Sealpost kann das Original nicht wiederherstellen. Es wurde nichts geändert.",
  "flow.failed": "Sealpost hat beim Schritt „{step}“ angehalten ({reason}); die Nachricht ist unverändert.",
  "flow.failed-leftover":
    "Sealpost hat beim Schritt „{step}“ angehalten ({reason}) und konnte nicht alles rückgängig machen: {left}. Prüfen Sie die Nachricht vor dem Senden.",
  "flow.body": "Der Nachrichtentext",
  "subject.neutral": "Verschlüsselte Nachricht",

  "import.title": "Schlüssel importieren",
  "import.paste": "Öffentlicher OpenPGP-Schlüssel (hier einfügen)",
  "import.file": "Oder eine Schlüsseldatei wählen",
  "import.button": "Schlüssel importieren",
  "import.why-empty": "Fügen Sie zuerst einen Schlüssel ein oder wählen Sie eine Datei.",
  "import.done": "{fingerprint} für {addresses} importiert.",
  "import.refused": "Dieser Schlüssel ist nicht nutzbar: {reason}",
  "import.none": "In der Eingabe wurde kein öffentlicher OpenPGP-Schlüssel gefunden.",
  "import.no-address": "Der Schlüssel nennt keine E-Mail-Adresse; Sealpost kann nicht erkennen, für wen er ist.",
  "import.full": "Ihre gespeicherten Schlüssel wären über Outlooks 32 KB für Add-in-Einstellungen: Entfernen Sie zuerst einen Schlüssel.",
  "import.failed": "Der Schlüssel konnte nicht gespeichert werden: {reason}",
  "imported.title": "Ihre importierten Schlüssel",
  "imported.none": "Noch keine.",
  "imported.remove": "{fingerprint} entfernen",
  "imported.removed": "{fingerprint} entfernt.",
};

export const paneCatalogs: Readonly<Record<string, Catalog>> = { en: paneEn, de: paneDe };

/** Fills `{name}` placeholders; a missing value stays visible rather than throwing. */
export function sayPane(locale: string, key: PaneMessageKey, values: Readonly<Record<string, string>> = {}): string {
  const resolved = resolveLocale(locale);
  const catalog = Object.prototype.hasOwnProperty.call(paneCatalogs, resolved) ? (paneCatalogs[resolved] ?? paneEn) : paneEn;
  return catalog[key].replace(/\{([a-z]+)\}/g, (match, name: string) => values[name] ?? match);
}
