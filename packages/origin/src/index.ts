export { originDefaults, resolveOriginConfig, type LiveSourceKind, type OriginConfig } from './config.js';
export { OriginError, type OriginErrorCode } from './errors.js';
export { startOrigin, type OriginServer } from './origin-server.js';
export type { OriginStats } from './stats.js';
export { liveWindow, renderLoopLivePlaylist, type LiveWindow, type LiveWindowShape } from './live-loop.js';
export { detectTsCodecs, codecsAttribute, type TsCodecs } from './ts-codecs.js';
export type { VariantInfo } from './loop-assets.js';
export { FORMAT_TYPES, isFormatType, type FormatMode, type FormatType } from './formats/format-types.js';
export type { OriginFormats } from './formats/origin-formats.js';
