/**
 * Stream type tokens (issue #7), live and VOD: 4 viewers in real headless Chromium over WebRTC on
 * loopback play without a stall or an hls.js error; peers share bytes identical to the origin's.
 */
import { defineFormatTest } from './harness/formats-test.js';

defineFormatTest('tokens');
