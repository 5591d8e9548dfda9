/**
 * Splits a fragmented MP4 (ffmpeg `-movflags +frag_keyframe+empty_moov+default_base_moof`, one video
 * track) into its init segment and its fragments (moof+mdat), each of which becomes an LL-HLS part.
 * Knows where each fragment's decode time (tfdt) sits, so a looping live source can shift it.
 */
import { OriginError } from '../errors.js';

export interface Mp4Fragment {
  /** moof + mdat. */
  readonly bytes: Uint8Array;
  /** Byte offsets (within `bytes`) of each 64-bit tfdt baseMediaDecodeTime. */
  readonly tfdtOffsets: readonly number[];
  /** Decode time of the fragment's first sample, in timescale ticks. */
  readonly decodeTimeTicks: number;
}

export interface FragmentedMp4 {
  /** ftyp + moov. */
  readonly init: Uint8Array;
  readonly fragments: readonly Mp4Fragment[];
  /** Ticks per second of the track (mdhd). */
  readonly timescale: number;
  /** Every fragment lasts this long (ticks): checked, so parts have one duration. */
  readonly fragmentTicks: number;
}

interface Box {
  readonly type: string;
  readonly start: number;
  readonly end: number;
  /** Where the payload starts (after size/type, and the 64-bit size if any). */
  readonly body: number;
}

function invalid(message: string): never {
  throw new OriginError('ORIGIN_ASSETS_INVALID', `fragmented MP4: ${message}`);
}

function* boxes(bytes: Uint8Array, view: DataView, start: number, end: number): Generator<Box> {
  let at = start;
  while (at < end) {
    if (end - at < 8) invalid(`truncated box header at ${at}`);
    let size = view.getUint32(at);
    let body = at + 8;
    if (size === 1) {
      size = Number(view.getBigUint64(at + 8));
      body = at + 16;
    } else if (size === 0) size = end - at;
    if (size < body - at || at + size > end) invalid(`box at ${at} has a bad size ${size}`);
    const type = String.fromCharCode(bytes[at + 4] ?? 0, bytes[at + 5] ?? 0, bytes[at + 6] ?? 0, bytes[at + 7] ?? 0);
    yield { type, start: at, end: at + size, body };
    at += size;
  }
}

function child(bytes: Uint8Array, view: DataView, parent: Box, type: string): Box | undefined {
  for (const box of boxes(bytes, view, parent.body, parent.end)) if (box.type === type) return box;
  return undefined;
}

function timescaleOf(bytes: Uint8Array, view: DataView, moov: Box): number {
  const trak = child(bytes, view, moov, 'trak');
  const mdia = trak && child(bytes, view, trak, 'mdia');
  const mdhd = mdia && child(bytes, view, mdia, 'mdhd');
  if (!mdhd) invalid('no moov/trak/mdia/mdhd');
  const version = bytes[mdhd.body];
  return view.getUint32(mdhd.body + (version === 1 ? 20 : 12));
}

/** Parses the file; throws ORIGIN_INVALID_MEDIA when it is not a single-track fragmented MP4 of even fragments. */
export function splitFragmentedMp4(bytes: Uint8Array): FragmentedMp4 {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let initEnd = -1;
  let timescale = 0;
  const fragments: Mp4Fragment[] = [];
  let moof: Box | undefined;
  for (const box of boxes(bytes, view, 0, bytes.length)) {
    if (box.type === 'moov') {
      initEnd = box.end;
      timescale = timescaleOf(bytes, view, box);
    } else if (box.type === 'moof') moof = box;
    else if (box.type === 'mdat' && moof) {
      const tfdtOffsets: number[] = [];
      for (const traf of boxes(bytes, view, moof.body, moof.end)) {
        if (traf.type !== 'traf') continue;
        const tfdt = child(bytes, view, traf, 'tfdt');
        if (!tfdt || bytes[tfdt.body] !== 1) invalid('every traf needs a version 1 tfdt');
        tfdtOffsets.push(tfdt.body + 4 - moof.start);
      }
      if (tfdtOffsets.length !== 1) invalid(`expected one track per fragment, found ${tfdtOffsets.length}`);
      const fragment = bytes.slice(moof.start, box.end);
      const decodeTimeTicks = Number(new DataView(fragment.buffer).getBigUint64(tfdtOffsets[0] ?? 0));
      fragments.push({ bytes: fragment, tfdtOffsets, decodeTimeTicks });
      moof = undefined;
    }
  }
  if (initEnd < 0 || timescale === 0) invalid('no moov');
  if (fragments.length < 2) invalid('fewer than two fragments');
  const fragmentTicks = (fragments[1]?.decodeTimeTicks ?? 0) - (fragments[0]?.decodeTimeTicks ?? 0);
  fragments.forEach((f, i) => {
    if (f.decodeTimeTicks !== i * fragmentTicks) invalid(`fragment ${i} starts at ${f.decodeTimeTicks}, not ${i * fragmentTicks}: uneven fragments`);
  });
  return { init: bytes.slice(0, initEnd), fragments, timescale, fragmentTicks };
}

/** A copy of `fragment` whose decode times are later by `shiftTicks` (a later pass of a loop). */
export function shiftFragment(fragment: Mp4Fragment, shiftTicks: number): Uint8Array {
  const copy = fragment.bytes.slice();
  if (shiftTicks === 0) return copy;
  const view = new DataView(copy.buffer);
  for (const offset of fragment.tfdtOffsets) view.setBigUint64(offset, view.getBigUint64(offset) + BigInt(shiftTicks));
  return copy;
}
