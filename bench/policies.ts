// Deterministic policy documents of any size for the bench: a fixed head of realistic protected
// domains (the ones the bench snapshot writes to) followed by seeded pseudo-random ones.
import type { PolicyDocument, RuleDocument } from "@sealpost/core";

/** Domains per rule: a large policy is many rules of this size, as an export from a partner list would be. */
export const DOMAINS_PER_RULE = 50;

export const SEED = 0x5ea1_9057;

// Every policy starts with these, so the snapshot's protected recipients match the same rule
// and domain at every size: only the number of other entries changes between sizes.
export const HEAD_DOMAINS = [
  "examplebank.com",
  "bänk.de",
  "treuhand-zürich.ch",
  "auditors-partner.co.uk",
  "crédit-exemple.fr",
  "payments.example-psp.nl",
  "sparkasse-musterstadt.de",
  "banco-ejemplo.es",
  "nordisk-bank.dk",
  "kantonalbank-muster.ch",
] as const;

export const HEAD_EXCEPTIONS = ["newsletter.examplebank.com", "marketing.bänk.de"] as const;

/**
 * Domains the snapshot sends to that no policy may cover. The generator skips any domain that
 * equals one of them or is a parent of one, or the "unprotected" recipients would turn protected
 * at some sizes and the sizes would no longer do the same work.
 */
export const UNPROTECTED_DOMAINS = [
  "acme-industries.com",
  "sales.acme-industries.com",
  "gmail.com",
  "outlook.com",
  "web.de",
  "example.org",
  "logistik-partner.de",
  "müller-spedition.at",
  "xn--caf-dma.example",
] as const;

/** mulberry32: tiny, fast and good enough to make inputs look varied while staying reproducible. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = "ban co fin sec kre dit ver mo nor sud al pha tre hand spar kas se leu mi ra lux vo ta zen gar ri port and".split(" ");
const WORDS = ["bank", "finance", "capital", "trust", "invest", "audit", "treasury", "pay", "privat", "asset"];
const TLDS = ["com", "de", "ch", "fr", "nl", "at", "co.uk", "com.au", "it", "es", "be", "lu", "li", "bank", "net"];
const PREFIXES = ["mail", "secure", "corp", "payments", "ir"];
// Latin letters with diacritics only: right-to-left scripts or joiners would trip UTS #46's
// Bidi and ContextJ checks, which are not what this bench measures.
const ACCENTED: Readonly<Record<string, readonly string[]>> = {
  a: ["ä", "å", "á"],
  e: ["é", "è", "ë"],
  o: ["ö", "ø", "ó"],
  u: ["ü", "ú"],
  n: ["ñ"],
  c: ["ç"],
};

function pick<T>(random: () => number, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error("pick from an empty list");
  return item;
}

function generatedDomain(random: () => number): string {
  let name = "";
  const syllables = 2 + Math.floor(random() * 3);
  for (let i = 0; i < syllables; i++) name += pick(random, SYLLABLES);
  const roll = random();
  if (roll < 0.35) name += `-${pick(random, WORDS)}`;
  else if (roll < 0.5) name += String(Math.floor(random() * 1000));
  // About one domain in ten is an IDN, as in a European partner list.
  if (random() < 0.1) {
    const positions = [...name].flatMap((char, index) => (ACCENTED[char] === undefined ? [] : [index]));
    const position = positions[Math.floor(random() * positions.length)];
    if (position !== undefined) {
      const chars = [...name];
      chars[position] = pick(random, ACCENTED[chars[position] ?? ""] ?? []);
      name = chars.join("");
    }
  }
  const host = random() < 0.15 ? `${pick(random, PREFIXES)}.${name}` : name;
  return `${host}.${pick(random, TLDS)}`;
}

function collides(domain: string): boolean {
  return UNPROTECTED_DOMAINS.some((reserved) => reserved === domain || reserved.endsWith(`.${domain}`));
}

/** The first `count` domains of one fixed stream: a smaller policy is a prefix of a larger one. */
export function protectedDomains(count: number): string[] {
  const random = prng(SEED);
  const seen = new Set<string>(HEAD_DOMAINS);
  const domains: string[] = HEAD_DOMAINS.slice(0, count);
  while (domains.length < count) {
    const domain = generatedDomain(random);
    if (seen.has(domain) || collides(domain)) continue;
    seen.add(domain);
    domains.push(domain);
  }
  return domains;
}

function ruleFor(index: number, domains: string[]): RuleDocument {
  const first = domains[0] ?? "";
  // Rule 0 carries the head domains; its shape is fixed so that every size decides alike.
  if (index === 0) {
    return {
      id: "banks",
      domains,
      except: [...HEAD_EXCEPTIONS],
      require: { submission: "tls", encryption: ["openpgp", "smime"] },
      action: "block",
      message: { en: "Mail to our banks and auditors must be encrypted.", de: "Mail an unsere Banken und Prüfer muss verschlüsselt sein." },
    };
  }
  return {
    id: `partners-${String(index).padStart(5, "0")}`,
    domains,
    // Some rules carve out a bulk-mail subdomain, as real partner rules do.
    ...(index % 5 === 0 ? { except: [`newsletter.${first}`] } : {}),
    ...requirementsFor(index),
    ...(index % 4 === 0 ? { message: { en: `Partner group ${index} requires protected mail.` } } : {}),
  };
}

function requirementsFor(index: number): Pick<RuleDocument, "require" | "action"> {
  switch (index % 3) {
    case 1:
      return { require: { encryption: ["openpgp"] }, action: "confirm" };
    case 2:
      return { require: { submission: "tls" }, action: "block" };
    default:
      return { require: { submission: "tls", encryption: ["openpgp", "smime"] }, action: "block" };
  }
}

export interface PolicyShape {
  readonly domains: number;
  readonly rules: number;
  readonly exceptions: number;
}

/** A valid policy document with `count` protected domains, a rule per {@link DOMAINS_PER_RULE}. */
export function policyDocument(count: number): PolicyDocument {
  const domains = protectedDomains(count);
  const rules: RuleDocument[] = [];
  for (let start = 0; start < domains.length; start += DOMAINS_PER_RULE) {
    rules.push(ruleFor(rules.length, domains.slice(start, start + DOMAINS_PER_RULE)));
  }
  return {
    version: 1,
    description: `Generated by bench/policies.ts: ${count} protected domains, seed ${SEED.toString(16)}.`,
    rules,
    keys: { "payments@examplebank.com": "4E3F 9A71 0C2B 8D65 1F04 A9E2 7B3C 5D18 E6F0 2A97" },
  };
}

export function shapeOf(document: PolicyDocument): PolicyShape {
  return {
    domains: document.rules.reduce((sum, rule) => sum + rule.domains.length, 0),
    rules: document.rules.length,
    exceptions: document.rules.reduce((sum, rule) => sum + (rule.except?.length ?? 0), 0),
  };
}
