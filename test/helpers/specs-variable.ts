/**
 * The name of the variable that locates the provider documents (`CARD_CONFORMANCE_SPECS`) and its
 * default (`../shared/specs`, relative to the repository root). Names only: nothing here reads the
 * folder; `test/helpers/seeds.ts` is the one module that does.
 */
export const SPECS_VARIABLE = 'CARD_CONFORMANCE_SPECS';
export const DEFAULT_SPECS = '../shared/specs';
