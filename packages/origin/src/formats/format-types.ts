/**
 * The stream types real platforms serve, each generated once with ffmpeg and served as VOD and as
 * live. The names are stable: they are the keys of `npm run bench:formats`'s JSON.
 */
export const FORMAT_TYPES = ['ts-abr', 'fmp4', 'byterange', 'aes128', 'discontinuity', 'tokens'] as const;

export type FormatType = (typeof FORMAT_TYPES)[number];
export type FormatMode = 'live' | 'vod';

export function isFormatType(value: string): value is FormatType {
  return (FORMAT_TYPES as readonly string[]).includes(value);
}

/** One rung of the encoding ladder. */
export interface LadderRung {
  /** Rendition name, also its URL path segment: '240p'. */
  readonly name: string;
  readonly width: number;
  readonly height: number;
  /** x264 target and cap, kbit/s. */
  readonly videoKbps: number;
}

/** The ladder of the multi-rendition types; single-rendition types use the middle rung. */
export const LADDER: readonly LadderRung[] = [
  { name: '240p', width: 426, height: 240, videoKbps: 250 },
  { name: '360p', width: 640, height: 360, videoKbps: 500 },
  { name: '480p', width: 854, height: 480, videoKbps: 800 },
];

export const SINGLE_RUNG = '360p';

/** Renditions each type serves, lowest first. */
export function renditionNames(type: FormatType): readonly string[] {
  return type === 'ts-abr' || type === 'fmp4' || type === 'tokens' ? LADDER.map((r) => r.name) : [SINGLE_RUNG];
}

/** Main@3.0 (fits 854x480@25) + AAC-LC: what every rendition announces. */
export const FORMAT_CODECS = 'avc1.4d401e,mp4a.40.2';
