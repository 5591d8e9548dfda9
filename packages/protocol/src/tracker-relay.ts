/**
 * The text the tracker relays for a signal, without serializing its SDP again when the received text
 * already holds it in the exact form JSON.stringify would write. The result is always byte for byte
 * `serializeMessage({ type: 'signal', swarm, from, data })`: the received text is only reused when
 * its layout proves that (see relayedSignalText), otherwise the message is serialized as usual.
 * The checks of the message itself are unchanged (parseClientMessage has run before).
 */
import { serializeMessage } from './tracker-messages.js';
import type { ClientMessage } from './tracker-messages.js';

/** A checked signal from a client. */
export type ClientSignal = Extract<ClientMessage, { type: 'signal' }>;

const SIGNAL_START = '{"type":"signal","swarm":';
const TO_KEY = ',"to":';
const DATA_KEY = ',"data":';
const DESCRIPTION_OFFER = '{"kind":"description","sdpType":"offer","sdp":"';
const DESCRIPTION_ANSWER = '{"kind":"description","sdpType":"answer","sdp":"';
/** Closes the SDP string, the data object and the message. */
const DESCRIPTION_END = '"}}';
const QUOTE = 0x22;
/** Characters JSON.stringify writes escaped (any surrogate, to keep the test simple: a paired one only means no reuse). */
// eslint-disable-next-line no-control-regex -- control characters are what JSON escapes
const ESCAPED_IN_JSON = /["\\\u0000-\u001f\ud800-\udfff]/;
const LETTER_U = 0x75;
const SLASH = 0x2f;

/**
 * `serializeMessage({ type: 'signal', swarm: msg.swarm, from, data: msg.data })`, for `msg` parsed
 * and checked from `text`.
 *
 * When `text` is `{"type":"signal","swarm":S,"to":T,"data":{"kind":"description","sdpType":X,"sdp":"R"}}`
 * with S and T as JSON.stringify writes msg.swarm and msg.to, and R holds no `"`, the tokens of `text`
 * are forced (no `"` in R means the SDP string ends right before `"}}`), so it has no duplicate or
 * extra key and R is the encoding of msg.data.sdp that JSON.parse read. With no `\u` and no `\/` in R
 * either, its only escapes are the ones JSON.stringify writes (`\\ \b \f \n \r \t`; raw control
 * characters are not valid JSON, and valid UTF-8 holds no lone surrogate), so R is exactly
 * JSON.stringify's encoding of the SDP and is copied instead of made again. Any other text (other
 * key order, whitespace, other escapes, candidates, declines) is serialized.
 */
export function relayedSignalText(msg: ClientSignal, text: string, from: string): string {
  const at = descriptionDataAt(msg, text);
  if (at < 0) return serializeMessage({ type: 'signal', swarm: msg.swarm, from, data: msg.data });
  // The swarm and the data object as received, which are JSON.stringify's.
  const swarmEnd = at - DATA_KEY.length - 1 - msg.to.length - 1 - TO_KEY.length;
  return `${text.slice(0, swarmEnd)},"from":${JSON.stringify(from)}${DATA_KEY}${text.slice(at, text.length - 1)}}`;
}

/** Where the data object starts in `text` when it can be copied (see relayedSignalText), else -1. */
function descriptionDataAt(msg: ClientSignal, text: string): number {
  const data = msg.data;
  if (data.kind !== 'description' || !text.startsWith(SIGNAL_START)) return -1;
  // Each piece compared where it must be, without building the expected head. A swarm id holding
  // nothing JSON.stringify escapes is written by it as itself between quotes.
  const swarm = msg.swarm;
  let at = SIGNAL_START.length;
  if (ESCAPED_IN_JSON.test(swarm) || text.charCodeAt(at) !== QUOTE || !text.startsWith(swarm, at + 1) || text.charCodeAt(at + 1 + swarm.length) !== QUOTE) return -1;
  at += swarm.length + 2;
  if (!text.startsWith(TO_KEY, at) || text.charCodeAt(at + TO_KEY.length) !== QUOTE || !text.startsWith(msg.to, at + TO_KEY.length + 1)) return -1;
  // msg.to matches ID_PATTERN: nothing in it is escaped.
  at += TO_KEY.length + 1 + msg.to.length;
  if (text.charCodeAt(at) !== QUOTE || !text.startsWith(DATA_KEY, at + 1)) return -1;
  const dataAt = at + 1 + DATA_KEY.length;
  const open = data.sdpType === 'offer' ? DESCRIPTION_OFFER : DESCRIPTION_ANSWER;
  const sdpStart = dataAt + open.length;
  const sdpEnd = text.length - DESCRIPTION_END.length;
  if (sdpEnd < sdpStart || !text.startsWith(open, dataAt) || !text.endsWith(DESCRIPTION_END)) return -1;
  // indexOf finds characters far faster than a loop over the SDP.
  if (text.indexOf('"', sdpStart) !== sdpEnd) return -1;
  for (let i = text.indexOf('\\', sdpStart); i >= 0 && i < sdpEnd; i = text.indexOf('\\', i + 2)) {
    const escaped = text.charCodeAt(i + 1);
    if (escaped === LETTER_U || escaped === SLASH) return -1;
  }
  return dataAt;
}
