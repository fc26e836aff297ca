// Every sentence Sealpost shows a user, in each language it speaks. English is the fallback;
// a missing key in another catalog is a type error, and a test checks the placeholders match.

export const en = {
  "verdict.allow": "This message can be sent.",
  "verdict.confirm": "This message goes to a protected recipient and does not meet every requirement. Send it only if you are sure.",
  "verdict.block": "This message cannot be sent yet.",
  "no-policy": "No Sealpost policy is active; nothing is checked.",

  "invalid-recipient.problem": "“{input}” {reason}, so Sealpost cannot tell whether it needs protection.",
  "invalid-recipient.fix": "Correct or remove this recipient.",

  "submission.plain.problem": "Your account's connection to its outgoing server{host} is not encrypted.",
  "submission.opportunistic.problem":
    "Your account uses STARTTLS with its outgoing server{host} only “if available”, which an attacker on the network can switch off.",
  "submission.unknown.problem": "Sealpost could not find out how your account sends mail ({reason}).",
  "submission.fix":
    "In the account settings, set the outgoing (SMTP) server's connection security to SSL/TLS (or STARTTLS), then send again.",
  "submission.unknown.fix": "Send from an account whose outgoing server uses SSL/TLS, or ask IT to check this account.",
  "sent-copy.problem": "The copy of this message saved to “Sent” travels to its server{host} without encryption.",
  "sent-copy.fix": "In the account settings, set the incoming server's connection security to SSL/TLS, or save sent mail locally.",

  "encryption.none.problem": "The message is not encrypted.",
  "encryption.fix": "Turn on encryption ({methods}) for this message, then send again.",
  "encryption.not-accepted.problem": "The message is encrypted with {observed}, which is not accepted for {domain}.",
  "encryption.label.problem": "The sensitivity label on this message ({label}) does not encrypt it.",
  "encryption.pinned.problem":
    "For {address} the message would be encrypted to {observed}, but your organisation requires the key {fingerprint}.",
  "encryption.pinned.unknown.problem":
    "Your organisation requires the key {fingerprint} for {address}, and Sealpost cannot tell which key this message is encrypted to.",
  "encryption.pinned.fix": "Use the key with fingerprint {fingerprint} for {address}, then send again.",

  "policy-unavailable.problem": "Sealpost's policy could not be loaded ({reason}), so mail outside your organisation cannot be checked.",
  "policy-unavailable.fix": "Contact IT; until the policy is fixed, send only to your own organisation.",
  "snapshot-invalid.problem": "Sealpost could not read this message ({reason}).",
  "snapshot-invalid.fix": "Try again; if it keeps happening, contact IT.",

  "encryption.subject.problem": "The subject of this message is not encrypted, and the policy asks for it to be.",
  "encryption.subject.fix": "Turn on “Encrypt subject” in the message's security options, then send again.",

  "method.openpgp": "OpenPGP",
  "method.smime": "S/MIME",
  "method.label": "an encrypting sensitivity label",
  or: "or",
  "no-key": "no key at all",
} as const;

export type MessageKey = keyof typeof en;
export type Catalog = { readonly [K in MessageKey]: string };

export const de: Catalog = {
  "verdict.allow": "Diese Nachricht kann gesendet werden.",
  "verdict.confirm":
    "Diese Nachricht geht an einen geschützten Empfänger und erfüllt nicht alle Anforderungen. Senden Sie sie nur, wenn Sie sicher sind.",
  "verdict.block": "Diese Nachricht kann noch nicht gesendet werden.",
  "no-policy": "Keine Sealpost-Richtlinie aktiv; es wird nichts geprüft.",

  "invalid-recipient.problem": "„{input}“ {reason}; Sealpost kann daher nicht erkennen, ob die Adresse Schutz braucht.",
  "invalid-recipient.fix": "Korrigieren oder entfernen Sie diesen Empfänger.",

  "submission.plain.problem": "Die Verbindung Ihres Kontos zum Postausgangs-Server{host} ist nicht verschlüsselt.",
  "submission.opportunistic.problem":
    "Ihr Konto nutzt STARTTLS mit dem Postausgangs-Server{host} nur „wenn möglich“; ein Angreifer im Netz kann das abschalten.",
  "submission.unknown.problem": "Sealpost konnte nicht feststellen, wie Ihr Konto E-Mails sendet ({reason}).",
  "submission.fix":
    "Stellen Sie in den Kontoeinstellungen die Verbindungssicherheit des Postausgangs-Servers (SMTP) auf SSL/TLS (oder STARTTLS) und senden Sie erneut.",
  "submission.unknown.fix":
    "Senden Sie von einem Konto, dessen Postausgangs-Server SSL/TLS nutzt, oder bitten Sie die IT, dieses Konto zu prüfen.",
  "sent-copy.problem": "Die Kopie dieser Nachricht für „Gesendet“ wird unverschlüsselt zu ihrem Server{host} übertragen.",
  "sent-copy.fix":
    "Stellen Sie in den Kontoeinstellungen die Verbindungssicherheit des Posteingangs-Servers auf SSL/TLS, oder speichern Sie gesendete Nachrichten lokal.",

  "encryption.none.problem": "Die Nachricht ist nicht verschlüsselt.",
  "encryption.fix": "Schalten Sie die Verschlüsselung ({methods}) für diese Nachricht ein und senden Sie erneut.",
  "encryption.not-accepted.problem": "Die Nachricht ist mit {observed} verschlüsselt; das ist für {domain} nicht zulässig.",
  "encryption.label.problem": "Die Vertraulichkeitsbezeichnung dieser Nachricht ({label}) verschlüsselt sie nicht.",
  "encryption.pinned.problem":
    "Für {address} würde die Nachricht mit {observed} verschlüsselt; Ihre Organisation schreibt aber den Schlüssel {fingerprint} vor.",
  "encryption.pinned.unknown.problem":
    "Ihre Organisation schreibt für {address} den Schlüssel {fingerprint} vor, und Sealpost kann nicht erkennen, mit welchem Schlüssel diese Nachricht verschlüsselt ist.",
  "encryption.pinned.fix": "Verwenden Sie für {address} den Schlüssel mit dem Fingerabdruck {fingerprint} und senden Sie erneut.",

  "policy-unavailable.problem":
    "Die Sealpost-Richtlinie konnte nicht geladen werden ({reason}); E-Mails an Empfänger außerhalb Ihrer Organisation können daher nicht geprüft werden.",
  "policy-unavailable.fix": "Wenden Sie sich an die IT; bis die Richtlinie repariert ist, senden Sie nur innerhalb Ihrer Organisation.",
  "snapshot-invalid.problem": "Sealpost konnte diese Nachricht nicht lesen ({reason}).",
  "snapshot-invalid.fix": "Versuchen Sie es erneut; wenn es wieder passiert, wenden Sie sich an die IT.",

  "encryption.subject.problem": "Der Betreff dieser Nachricht ist nicht verschlüsselt; die Richtlinie verlangt das.",
  "encryption.subject.fix": "Schalten Sie in den Sicherheitsoptionen der Nachricht „Betreff verschlüsseln“ ein und senden Sie erneut.",

  "method.openpgp": "OpenPGP",
  "method.smime": "S/MIME",
  "method.label": "eine verschlüsselnde Vertraulichkeitsbezeichnung",
  or: "oder",
  "no-key": "gar keinem Schlüssel",
};

export const catalogs: Readonly<Record<string, Catalog>> = { en, de };
export const SUPPORTED_LOCALES = Object.keys(catalogs);

/** The best catalog language for a BCP 47 tag: exact, then its language, then English. */
export function resolveLocale(locale: string | undefined): string {
  if (typeof locale !== "string") return "en";
  const lower = locale.toLowerCase().replace("_", "-");
  // Own properties only: a tag such as "constructor" must not find Object.prototype's.
  if (Object.hasOwn(catalogs, lower)) return lower;
  const language = lower.split("-")[0] ?? "";
  return Object.hasOwn(catalogs, language) ? language : "en";
}

/** Fills `{name}` placeholders; a missing value leaves the placeholder visible rather than throwing. */
export function translate(locale: string, key: MessageKey, values: Readonly<Record<string, string>> = {}): string {
  const resolved = resolveLocale(locale);
  const catalog = Object.hasOwn(catalogs, resolved) ? (catalogs[resolved] ?? en) : en;
  return catalog[key].replace(/\{([a-z]+)\}/g, (match, name: string) => values[name] ?? match);
}

/** Picks the text for a locale from a policy's `{ "en": …, "de": … }`, falling back to English, then to any. */
export function pickLocalized(texts: Readonly<Record<string, string>> | undefined, locale: string | undefined): string | undefined {
  if (texts === undefined) return undefined;
  const wanted = (locale ?? "en").toLowerCase().replace("_", "-");
  const entries = Object.entries(texts).map(([tag, text]) => [tag.toLowerCase(), text] as const);
  const exact = entries.find(([tag]) => tag === wanted);
  if (exact) return exact[1];
  const language = wanted.split("-")[0];
  const sameLanguage = entries.find(([tag]) => tag === language || tag.split("-")[0] === language);
  if (sameLanguage) return sameLanguage[1];
  return entries.find(([tag]) => tag === "en")?.[1] ?? entries[0]?.[1];
}
