// The message the bench checks: 50 recipient fields as hosts hand them over, mixing protected
// domains and their subdomains, IDN spellings, carved-out subdomains, colleagues and one group.
import type { ComposeSnapshot, RecipientInput } from "@sealpost/core";

const HAND_WRITTEN: readonly RecipientInput[] = [
  { kind: "to", text: "payments@examplebank.com" },
  { kind: "to", text: "Anna Muster <anna.muster@examplebank.com>" },
  { kind: "to", text: "treasury@EXAMPLEBANK.COM" },
  { kind: "to", text: "ops@secure.examplebank.com" },
  { kind: "cc", text: "news@newsletter.examplebank.com" },
  { kind: "to", text: "kredit@bänk.de" },
  { kind: "to", text: '"Müller, Hans" <hans.mueller@BÄNK.DE>' },
  { kind: "cc", text: "service@xn--bnk-qla.de" },
  { kind: "bcc", text: "promo@marketing.bänk.de" },
  { kind: "to", text: "=?UTF-8?Q?J=C3=BCrg_Z=C3=BCrcher?= <jz@treuhand-zürich.ch>" },
  { kind: "cc", text: "mandate@xn--treuhand-zrich-psb.ch" },
  { kind: "to", text: "Audit Lead <lead@audit.auditors-partner.co.uk>" },
  { kind: "cc", text: "contact@crédit-exemple.fr" },
  { kind: "cc", text: "settlement@payments.example-psp.nl" },
  { kind: "cc", text: "support@example-psp.nl" },
  { kind: "to", text: "Firmenkunden <firmenkunden@filiale-nord.sparkasse-musterstadt.de>" },
  { kind: "bcc", text: "tesoreria@banco-ejemplo.es" },
  { kind: "cc", text: "Kundenservice <kunde@Nordisk-Bank.DK>" },
  { kind: "to", text: "Export Desk <export@kantonalbank-muster.ch>" },
  {
    kind: "to",
    text: 'Auditors: lead@auditors-partner.co.uk, "Second, Reviewer" <second@auditors-partner.co.uk>, assistant@acme-industries.com;',
  },
  { kind: "to", text: "Jane Doe <jane.doe@gmail.com>" },
  { kind: "cc", text: "someone@outlook.com" },
  { kind: "cc", text: "max.mustermann@web.de" },
  { kind: "to", text: "info@example.org" },
  { kind: "cc", text: "Disposition <dispo@logistik-partner.de>" },
  { kind: "cc", text: "buero@müller-spedition.at" },
  { kind: "bcc", text: "owner@xn--caf-dma.example" },
  { kind: "to", text: "Sales Team <team@sales.acme-industries.com>" },
];

// The rest of a large send is people in the sender's own company: as colleagues in Cc, and as
// members of a finance list that the adapter expanded.
const COLLEAGUES: readonly RecipientInput[] = Array.from({ length: 12 }, (_, index) => ({
  kind: "cc",
  text: `Colleague ${index + 1} <colleague.${index + 1}@acme-industries.com>`,
}));

const LIST_MEMBERS: readonly RecipientInput[] = Array.from({ length: 10 }, (_, index) => ({
  kind: "list-member",
  list: "finance@acme-industries.com",
  text: `finance.member${index + 1}@acme-industries.com`,
}));

export const RECIPIENTS: readonly RecipientInput[] = [...HAND_WRITTEN, ...COLLEAGUES, ...LIST_MEMBERS];

/** A send over required STARTTLS that the user has not encrypted: every protected recipient yields a finding. */
export const SNAPSHOT: ComposeSnapshot = {
  recipients: RECIPIENTS,
  transport: { kind: "smtp", security: "starttls", host: "smtp.acme-industries.com", port: 587 },
  encryption: { kind: "none" },
  sender: "treasurer@acme-industries.com",
  locale: "de-CH",
};
