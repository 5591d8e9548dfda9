export { Engine, type EngineEvents, type LoadedSegment, type SegmentRequest } from './engine.js';
export { engineDefaults, integrityListUrlOf, resolveEngineConfig, type EngineConfig } from './config.js';
export { EngineError, type EngineErrorCode } from './errors.js';
export type { EngineStats } from './stats.js';
export { Emitter } from './emitter.js';
export { rendezvousTop, hash32 } from './rendezvous.js';
export type * from './ports.js';
export { webCryptoPort } from './webcrypto.js';
export { RecordBook, type Verdict } from './record-book.js';
