/**
 * Alchemy Pay — the published versions of the create page. `alchemy` is the seed (create.ts as it
 * stands); `alchemy-v2` is the other version WIRE.md reports ("Other versions of the same page"): the
 * seed's data plus the row it adds and the limits it changes. Selected with `--spec-version`.
 */
import type { SpecVersion } from '../../src/spec/types.ts';

const WIRE = 'WIRE.md';
const OTHER = 'Other versions of the same page';
const other = (text: string) => ({ doc: WIRE, row: OTHER, text });

export default [
  {
    version: 'alchemy',
    provider: 'alchemy',
    title: 'the seed: alchemy-card-create.original.txt (10–5000 USD, names [a-zA-Z]{1,32})',
    source: { doc: 'alchemy-card-create.original.txt', text: 'Single recharge amount range: 10 USD - 5000 USD' },
  },
  {
    version: 'alchemy-v2',
    provider: 'alchemy',
    title: 'the other published version of the page (5–5000 USD, names of at least 3 letters, a required feeType)',
    source: other(
      "names `{3,}` instead of `[a-zA-Z]{1,32}`; range 5–5000 USD; a required `feeType` (`ONE`/`TWO`/`THREE`); recharge over 1000 USD needs the user's email to have passed KYC",
    ),
    add: [
      {
        operation: 'create',
        request: [
          {
            row: 'feeType',
            path: 'feeType',
            description: 'Fee type',
            presence: 'M',
            type: 'string',
            enum: ['ONE', 'TWO', 'THREE'],
            source: other('a required `feeType` (`ONE`/`TWO`/`THREE`)'),
          },
        ],
      },
    ],
    overrides: {
      'alchemy.create.deposit.range': {
        check: { min: '500' },
        title: 'deposit is within the single recharge range, 5 USD to 5000 USD',
        source: other('range 5–5000 USD'),
      },
      'alchemy.create.cardHolder.firstName.pattern': {
        check: { pattern: '[a-zA-Z]{3,}' },
        title: 'cardHolder.firstName is at least 3 letters ([a-zA-Z]{3,})',
        source: other('names `{3,}` instead of `[a-zA-Z]{1,32}`'),
      },
      'alchemy.create.cardHolder.lastName.pattern': {
        check: { pattern: '[a-zA-Z]{3,}' },
        title: 'cardHolder.lastName is at least 3 letters ([a-zA-Z]{3,})',
        source: other('names `{3,}` instead of `[a-zA-Z]{1,32}`'),
      },
    },
    notChecked: [
      {
        field: 'deposit',
        what: 'a recharge over 1000 USD (deposit above 100000 cents) needs the user to have passed KYC',
        why: "KYC is the state of the account named by the `email` header, which no request field carries and no check kind reads: the catalogue cannot tell a refusal for KYC from a refusal for the amount, so the rule is listed, not checked (the embedded mock treats every user as KYC'd)",
        source: other("recharge over 1000 USD needs the user's email to have passed KYC"),
      },
    ],
  },
] satisfies SpecVersion[] as SpecVersion[];
