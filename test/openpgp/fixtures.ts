// Real key fixtures for the OpenPGP tests (made by GnuPG: test/fixtures/outlook and
// test/fixtures/openpgp, each with a make-fixtures script) and fake key sources.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { AbortSignalLike, KeySource } from "@sealpost/core/openpgp";

function fixture(path: string): string {
  return readFileSync(fileURLToPath(new URL(`../fixtures/${path}`, import.meta.url)), "utf8");
}

/** An armored key fixture and its primary fingerprint. */
export interface KeyFixture {
  readonly armored: string;
  readonly fingerprint: string;
}

function outlookKey(name: string): KeyFixture {
  return {
    armored: fixture(`outlook/key-${name}.asc`),
    fingerprint: fixture(`outlook/key-${name}.fingerprints`).split("\n")[0]?.trim() ?? "",
  };
}

function openpgpKey(name: string): KeyFixture {
  return { armored: fixture(`openpgp/${name}.asc`), fingerprint: fixture(`openpgp/${name}.fingerprint`).trim() };
}

/** pay@bank.example's real key. */
export const PAY = outlookKey("pay");
/** audit@auditor.example (RSA 3072, two encryption subkeys). */
export const AUDIT = outlookKey("audit");
/** m@other.example: a stranger. */
export const MALLORY = outlookKey("m");
/** Another key whose user ID claims pay@bank.example. */
export const IMPOSTOR = openpgpKey("impostor-pay");
/** treasury@bank.example, expired since 2 January 2020. */
export const EXPIRED = openpgpKey("expired-treasury");

export function readFixture(path: string): string {
  return fixture(path);
}

/** A source that answers from a table, after `delayMs`, and records what it was asked. */
export function tableSource(
  name: string,
  table: Readonly<Record<string, string | Uint8Array>>,
  delayMs = 0,
): KeySource & { asked: string[] } {
  const asked: string[] = [];
  return {
    name,
    asked,
    async lookup(address: string, signal: AbortSignalLike) {
      asked.push(address);
      if (delayMs > 0) await delay(delayMs, signal);
      return table[address] ?? null;
    },
  };
}

/** A source that never answers and ignores the signal: only the finder's timeout ends it. */
export function silentSource(name: string): KeySource {
  return { name, lookup: () => new Promise(() => undefined) };
}

export function failingSource(name: string, error: Error): KeySource {
  return { name, lookup: () => Promise.reject(error) };
}

function delay(ms: number, signal: AbortSignalLike): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(new Error("aborted"));
    });
  });
}

/** A key whose user ID is "pay@bank.example <m@evil.example>": the bank's address as a display name. */
export const LOOKALIKE = openpgpKey("lookalike-name");
