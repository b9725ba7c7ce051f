// webCrypto returns the runtime's Web Crypto: the global one everywhere but
// on Node 18, where it is node:crypto's webcrypto (global only from Node 19).
// The module name is a variable so that a bundler for an edge runtime, which
// always has the global, does not try to resolve node:crypto.
const nodeCrypto = "node:crypto";

export async function webCrypto(): Promise<Crypto> {
  if (globalThis.crypto?.subtle) return globalThis.crypto;
  const mod = (await import(/* webpackIgnore: true */ nodeCrypto)) as { webcrypto: Crypto };
  return mod.webcrypto;
}
