/**
 * A seeded pseudo-random generator (mulberry32): the same seed gives the same numbers, so a
 * failing random test can be replayed. Returns numbers in [0, 1), like `Math.random`.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The seed of a random test: `name` from the environment to replay one, else a new one; printed either way. */
export function testSeed(name: string, file: string): number {
  const given = process.env[name];
  const seed = given === undefined ? Date.now() % 1_000_000 : Number(given);
  if (!Number.isInteger(seed)) throw new Error(`${name} must be an integer, got ${JSON.stringify(given)}`);
  console.log(`${file}: ${name}=${seed}`);
  return seed;
}
