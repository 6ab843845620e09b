/** The wire layer's public entry: codecs, keys, redaction, errors, transport. */
export * from './alchemy-sign.ts';
export * from './errors.ts';
export * from './gep-envelope.ts';
export * from './http.ts';
export * from './keys.ts';
export * from './luhn.ts';
export * from './redact.ts';
