// The keys Sealpost knows for protected recipients: for now, the policy's pinned keys. A pinned
// armored key names its primary key and every subkey that may still encrypt, so the encryption
// subkey a message's PKESK names maps back to the primary fingerprint the policy pins; a pinned
// fingerprint can only be matched when the message names that very key.
import { type CompiledPolicy, type PinnedKey } from "@sealpost/core";
import { type KeyName, type KeyRef, readArmoredKeyNames } from "@sealpost/core/openpgp/reader";

export type Pin =
  | { readonly kind: "key"; readonly primary: string; readonly names: readonly KeyName[] }
  | { readonly kind: "fingerprint"; readonly fingerprint: string }
  | { readonly kind: "unreadable"; readonly reason: string };

export class KeyDirectory {
  private constructor(
    private readonly pins: ReadonlyMap<string, Pin>,
    private readonly policy: CompiledPolicy,
  ) {}

  static fromPolicy(policy: CompiledPolicy, now: Date = new Date()): KeyDirectory {
    const pins = new Map<string, Pin>();
    for (const [address, pinned] of policy.keys) pins.set(address, readPin(pinned, now));
    return new KeyDirectory(pins, policy);
  }

  /** The pin for an address key (core's `addressKey`), if the policy has one. */
  pinFor(address: string): Pin | undefined {
    return this.pins.get(address);
  }

  /** Whether a PKESK's key is the pinned key or one of its subkeys. */
  covers(pin: Pin, ref: KeyRef): boolean {
    if (pin.kind === "key") return pin.names.some((name) => sameKey(name.fingerprint, ref));
    if (pin.kind === "fingerprint") return sameKey(pin.fingerprint, ref);
    return false;
  }

  /**
   * How core should name the key a PKESK is for: the primary fingerprint of a pinned key that
   * holds it, else the pinned fingerprint it is, else what the PKESK itself says.
   */
  primaryOf(ref: KeyRef): string {
    for (const pin of this.pins.values()) {
      if (pin.kind === "key" && this.covers(pin, ref)) return pin.primary;
      if (pin.kind === "fingerprint" && this.covers(pin, ref)) return pin.fingerprint;
    }
    return ref.fingerprint ?? ref.keyId;
  }

  /**
   * The policy as core should see it. Core checks pins by fingerprint and cannot read an
   * armored key, so each readable armored pin gains the fingerprint of the key it holds; an
   * unreadable one stays as it is and fails closed in core.
   */
  resolvedPolicy(): CompiledPolicy {
    const keys = new Map<string, PinnedKey>();
    for (const [address, pinned] of this.policy.keys) {
      const pin = this.pins.get(address);
      keys.set(address, pin?.kind === "key" ? { ...pinned, fingerprint: pin.primary } : pinned);
    }
    return { ...this.policy, keys };
  }
}

function readPin(pinned: PinnedKey, now: Date): Pin {
  if (pinned.fingerprint !== undefined) return { kind: "fingerprint", fingerprint: pinned.fingerprint };
  if (pinned.armored === undefined) return { kind: "unreadable", reason: "the pin is empty" };
  const read = readArmoredKeyNames(pinned.armored, now);
  if (!read.ok) return { kind: "unreadable", reason: read.reason };
  const [key, ...others] = read.keys;
  // One pin, one key: a block of several keys would let any of them stand for the recipient.
  if (key === undefined || others.length > 0) return { kind: "unreadable", reason: `the block holds ${String(read.keys.length)} keys` };
  if (key.revoked === true) return { kind: "unreadable", reason: `the pinned key ${key.fingerprint} is revoked` };
  // A subkey the pin itself revokes, lets expire or keeps from encrypting may be in a stale copy
  // of the key that the sender's tool still holds; content encrypted to it does not count.
  return { kind: "key", primary: key.fingerprint, names: [key, ...key.subkeys.filter((subkey) => subkey.unusable === undefined)] };
}

/** Whether a PKESK names the key with this fingerprint: by fingerprint (v6 PKESK) or by key id. */
function sameKey(fingerprint: string, ref: KeyRef): boolean {
  if (ref.fingerprint !== undefined) return ref.fingerprint === fingerprint;
  return ref.keyId === keyIdOf(fingerprint);
}

/** A v4 key id is the fingerprint's low 64 bits (RFC 4880 §12.2), a v6 one its high 64 bits (RFC 9580 §5.5.4). */
export function keyIdOf(fingerprint: string): string {
  return fingerprint.length === 40 ? fingerprint.slice(24) : fingerprint.slice(0, 16);
}
