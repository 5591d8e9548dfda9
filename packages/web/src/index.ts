/** The viewer page's contract with the harness and the benchmark (types only; the page is built by scripts/build-web.ts). */
export type { IntegrityFigures, PeerDisconnect, SeederFigures, SegmentRecord, SegmentSource, StartupTimeline, TrackerEvent, ViewerReport } from './viewer-report.js';
