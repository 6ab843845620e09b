/** The error a call throws, typed, for assertions on its fields; fails the test if nothing or something else is thrown. */
type ErrorClass<T extends Error> = abstract new (...args: never[]) => T;

function check<T extends Error>(type: ErrorClass<T>, err: unknown): T {
  if (err instanceof type) return err;
  throw err;
}

export function thrown<T extends Error>(type: ErrorClass<T>, fn: () => unknown): T {
  try {
    fn();
  } catch (err) {
    return check(type, err);
  }
  throw new Error(`expected a ${type.name}, nothing was thrown`);
}

export async function rejected<T extends Error>(type: ErrorClass<T>, promise: Promise<unknown>): Promise<T> {
  try {
    await promise;
  } catch (err) {
    return check(type, err);
  }
  throw new Error(`expected a ${type.name}, the call succeeded`);
}
