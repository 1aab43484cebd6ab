/** The error of class `kind` that `fn` throws; any other outcome fails the test that called it. */
export function thrown<E extends Error>(kind: new (...args: never[]) => E, fn: () => unknown): E {
  try {
    fn()
  } catch (e) {
    if (e instanceof kind) return e
    throw e
  }
  throw new Error(`expected a ${kind.name}`)
}
