// Sealpost's own strings (static/_locales) for its pages: `t()` for code, and a pass over
// data-i18n attributes so the HTML carries no text of its own.
import browser from "webextension-polyfill";
import type english from "../../static/_locales/en/messages.json";

/** A key of the English catalog, which every other catalog mirrors. */
export type MessageKey = keyof typeof english;

/** A message with its `$1`… substitutions; a missing one shows its key rather than nothing. */
export function t(key: MessageKey, ...substitutions: string[]): string {
  return message(key, substitutions);
}

function message(key: string, substitutions: string[] = []): string {
  const text = browser.i18n.getMessage(key, substitutions);
  return text === "" ? key : text;
}

const ATTRIBUTES = [
  ["i18nTitle", "title"],
  ["i18nLabel", "aria-label"],
  ["i18nPlaceholder", "placeholder"],
] as const;

/**
 * Fills `data-i18n` (text), `data-i18n-title`, `data-i18n-label` (aria-label) and
 * `data-i18n-placeholder` under `root`, and gives the document the catalog's language and direction.
 */
export function localizePage(root: ParentNode = document): void {
  // The catalog that answers, not the UI language: a French UI reads the English fallback.
  document.documentElement.lang = message("pageLanguage");
  document.documentElement.dir = browser.i18n.getMessage("@@bidi_dir") === "rtl" ? "rtl" : "ltr";
  for (const element of root.querySelectorAll<HTMLElement>("[data-i18n], [data-i18n-title], [data-i18n-label], [data-i18n-placeholder]")) {
    const text = element.dataset.i18n;
    if (text !== undefined) element.textContent = message(text);
    for (const [data, attribute] of ATTRIBUTES) {
      const key = element.dataset[data];
      if (key !== undefined) element.setAttribute(attribute, message(key));
    }
  }
}
