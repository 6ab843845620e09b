/** Typed provider clients on the wire transport. */
export * from './alchemy.ts';
export * from './curl.ts';
export * from './gep.ts';
export type * from './types.ts';
