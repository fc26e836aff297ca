// The OnMessageRecipientsChanged handler: an info bar as soon as a protected recipient is added,
// saying what the message will need before it can be sent, and gone when none is left. It only
// informs (the send check decides), so a failure leaves the bar as it was; the event is always
// completed.
import { type CompiledPolicy, type EncryptionMethod, parseRecipients, type RecipientInput, translate } from "@sealpost/core";
import type { Host, RecipientsChangedEvent } from "../host/office-compose.js";
import { withDeadline } from "../shared/deadline.js";
import { describeError } from "../shared/errors.js";
import { shorten } from "./alert-text.js";
import { readRecipients, rulesFor, transportFor } from "./compose-snapshot.js";
import { say } from "./messages.js";
import type { LoadedPolicy, PolicySource } from "./policy-source.js";

export const INFO_KEY = "sealpost";
/** Outlook refuses notification messages longer than this (NotificationMessageDetails.message). */
export const INFO_LIMIT = 150;

export interface RecipientsChangedDeps {
  readonly host: () => Host;
  readonly policy: PolicySource;
  readonly deadlineMs: number;
  /** The icon's resource id in the manifest; classic Outlook shows it beside the message. */
  readonly icon: string;
  readonly log?: (line: string) => void;
}

export async function onRecipientsChanged(deps: RecipientsChangedDeps, event: RecipientsChangedEvent): Promise<void> {
  try {
    await withDeadline(updateInfoBar(deps), deps.deadlineMs, "updating the info bar took too long");
  } catch (error) {
    deps.log?.(`the recipients check failed: ${describeError(error)}`);
  } finally {
    try {
      event.completed();
    } catch (error) {
      deps.log?.(`event.completed failed: ${describeError(error)}`);
    }
  }
}

async function updateInfoBar(deps: RecipientsChangedDeps): Promise<void> {
  const host = deps.host();
  const [loaded, recipients] = await Promise.all([deps.policy.load(), readRecipients(host)]);
  const message = infoMessage(
    loaded,
    recipients.map((recipient) => recipient.input),
    host.accountType(),
    host.displayLanguage(),
  );
  // Removing a bar that is not shown is an error in some clients; it changes nothing.
  if (message === undefined) await host.removeInfo(INFO_KEY).catch(() => undefined);
  else await host.showInfo(INFO_KEY, message, deps.icon);
}

/** The info bar's text, or undefined when no recipient needs anything. */
export function infoMessage(
  loaded: LoadedPolicy,
  recipients: readonly RecipientInput[],
  accountType: string | undefined,
  locale: string,
): string | undefined {
  if (loaded.kind === "none" || recipients.length === 0) return undefined;
  if (loaded.kind === "unavailable") return shorten(say(locale, "info.unavailable"), INFO_LIMIT);
  const { domains, methods, submission } = requirements(loaded.policy, recipients);
  if (domains.length === 0) return undefined;
  // Outlook cannot report S/MIME (office-js #5133), so only what it can check is named.
  const checkable = methods?.filter((method) => method !== "smime") ?? [];
  const needs = (withMethods: boolean): string[] => [
    ...(methods === undefined
      ? []
      : [
          withMethods && checkable.length > 0
            ? say(locale, "info.encrypted", { methods: methodList(checkable, locale) })
            : say(locale, "info.encrypted-any"),
        ]),
    ...(submission && transportFor(accountType).kind !== "https" ? [say(locale, "info.https-account")] : []),
  ];
  if (needs(false).length === 0) return undefined;
  // The most that fits in Outlook's 150 characters: the methods go before the domains do.
  const and = ` ${say(locale, "info.and")} `;
  for (const withMethods of [true, false]) {
    for (let shown = Math.min(domains.length, 3); shown >= 1; shown--) {
      const list =
        shown === domains.length
          ? domains.join(", ")
          : say(locale, "info.more-domains", { domain: domains.slice(0, shown).join(", "), count: String(domains.length - shown) });
      const text = say(locale, "info.needs", { domains: list, needs: needs(withMethods).join(and) });
      if (text.length <= INFO_LIMIT) return text;
    }
  }
  const first =
    domains.length > 1
      ? say(locale, "info.more-domains", { domain: domains[0] ?? "", count: String(domains.length - 1) })
      : (domains[0] ?? "");
  return shorten(say(locale, "info.needs", { domains: first, needs: needs(false).join(and) }), INFO_LIMIT);
}

// What the protected recipients ask for together. All matching rules apply, so a method must
// be accepted by every rule that names encryption; an empty choice still means "encrypt".
function requirements(
  policy: CompiledPolicy,
  recipients: readonly RecipientInput[],
): { domains: string[]; methods: readonly EncryptionMethod[] | undefined; submission: boolean } {
  const domains: string[] = [];
  let methods: EncryptionMethod[] | undefined;
  let submission = false;
  for (const recipient of recipients) {
    for (const parsed of parseRecipients(recipient.text)) {
      if (!parsed.ok) continue;
      // A rule that asks only for require.relay binds the mail server, not this message.
      const rules = rulesFor(policy, parsed).filter((rule) => rule.submission !== undefined || rule.encryption !== undefined);
      if (rules.length === 0) continue;
      const domain = parsed.unicodeDomain;
      if (!domains.includes(domain)) domains.push(domain);
      for (const rule of rules) {
        if (rule.submission === "tls") submission = true;
        if (rule.encryption !== undefined) {
          const accepted = rule.encryption;
          methods = methods === undefined ? [...accepted] : methods.filter((method) => accepted.includes(method));
        }
      }
    }
  }
  return { domains, methods, submission };
}

function methodList(methods: readonly EncryptionMethod[], locale: string): string {
  const names = methods.map((method) => translate(locale, `method.${method}`));
  if (names.length <= 1) return names.join("");
  return `${names.slice(0, -1).join(", ")} ${translate(locale, "or")} ${names[names.length - 1] ?? ""}`;
}
