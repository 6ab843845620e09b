// The soak's request-maker thread: a worker does not inherit the parent's tsx loader, so it registers
// tsx's ESM hooks before loading the TypeScript module.
import { register } from 'tsx/esm/api';

register();
await import('./soak-generator.ts');
