/** How many entries a map lets go of, at least, before it is made anew. */
const renewAfter = 256;

/**
 * A Map for entries that come and go all the time (calls in flight), made anew when it
 * empties or after it has let go of `renewAfter` entries (more when it holds many: a copy
 * then costs at most half a `set` per entry).
 *
 * Why: V8 gives a Map a new table each time it grows, shrinks or fills with deleted
 * entries. Once the Map has lived a while, it makes those tables in the old generation,
 * where each dead one keeps the values it held alive through the next young-generation
 * collections, and with them all they reach: a peer under load then promoted megabytes per
 * collection. A new Map starts young, its tables too.
 *
 * An empty one holds no Map at all: a server's peers that never call hold none.
 */
export class YoungMap<K, V> {
  private map: Map<K, V> | undefined;
  private deleted = 0;

  get size(): number {
    return this.map?.size ?? 0;
  }

  get(key: K): V | undefined {
    return this.map?.get(key);
  }

  has(key: K): boolean {
    return this.map?.has(key) ?? false;
  }

  set(key: K, value: V): void {
    (this.map ??= new Map<K, V>()).set(key, value);
  }

  delete(key: K): boolean {
    const map = this.map;
    if (map === undefined || !map.delete(key)) return false;
    const size = map.size;
    if (size > 0 && ++this.deleted < Math.max(renewAfter, 2 * size)) return true;
    this.map = size === 0 ? undefined : new Map(map);
    this.deleted = 0;
    return true;
  }

  clear(): void {
    this.map = undefined;
    this.deleted = 0;
  }

  /**
   * The entries, oldest first, of the map as it is now: unlike a Map's, the walk does not see
   * what is added or deleted after a remake that happens during it (copy it first to change
   * the map while walking).
   */
  entries(): IterableIterator<[K, V]> {
    return (this.map ?? new Map<K, V>()).entries();
  }
}
