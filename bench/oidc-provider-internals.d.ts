// node-oidc-provider's built-in memory adapter and its LRU are not part of its typed public API.
// Only the bare yardstick (bare-target.ts) reaches for them; the product never does.
declare module 'oidc-provider/lib/adapters/memory_adapter.js' {
  import type { Adapter } from 'oidc-provider';
  const MemoryAdapter: new (model: string, store: object, clockTolerance?: number) => Adapter;
  export default MemoryAdapter;
}
declare module 'oidc-provider/lib/helpers/lru.js' {
  const LRU: new (options: { maxSize: number }) => object;
  export default LRU;
}
