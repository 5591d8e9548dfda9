#!/usr/bin/env node
import { intOption, parseArgs } from './args.js';
import { startDemo } from './demo.js';
import { runEdge } from './edge.js';
import { runKeygen } from './keygen.js';
import { runSign } from './sign.js';
import { runToken } from './token.js';

const usage = `usage: swarmcast <command> [options]

commands:
  demo     live origin + tracker + player page with stats
           --host 127.0.0.1  --origin-port 8080  --tracker-port 8081  --live-source auto|loop|ffmpeg
  edge     edge peer: joins a live stream's swarm as a well-provisioned peer and serves viewers
           --stream MASTER_URL  --tracker ws://TRACKER  [--upload-kbps 100000]  [--store-mib 256]
           [--upload-cap-kbps K]  [--group LABEL]  [--bind-address IP]  [--rendition URL_PART...]
           [--status-every-s 5]  [--stats-file FILE]  (its stats as JSON, rewritten with each status line and at the stop)
           [--freeze-exit-s 10]  (a main thread stuck this long ends the process for its supervisor to restart; 0: never)
           (Ctrl+C stops it, closing every connection)
  keygen   new Ed25519 stream signing key, as JSON {keyId, publicKey, privateKeyPkcs8}
           [--out FILE]  (written with mode 0600; stdout then shows only the public part)
  sign     integrity sidecar: sign every segment of the streams and publish the records to a tracker
           --stream URL [--stream URL...]  --key FILE  --publish ws://TRACKER/authority
           --secret S  (or SWARMCAST_AUTHORITY_SECRET; the tracker's authoritySecret)
           [--records-port N [--records-host H]]  also serve the live records over HTTP
           (/integrity/live): players' integrityRecordsUrl, for P2P through a tracker outage
  token    print a join token for a stream whose tracker requires one (joinTokens)
           --stream MASTER_URL  --secret S (HS256, or SWARMCAST_JOIN_TOKEN_SECRET) | --key FILE (EdDSA, from keygen)
           [--ttl 3600]  [--viewer ID]
`;

async function main(): Promise<void> {
  const { command, options, lists } = parseArgs(process.argv.slice(2));
  if (command === 'edge') {
    await runEdge(options, lists);
    return;
  }
  if (command === 'keygen') {
    await runKeygen(options);
    return;
  }
  if (command === 'sign') {
    await runSign(options, lists);
    return;
  }
  if (command === 'token') {
    await runToken(options);
    return;
  }
  if (command !== 'demo') {
    process.stdout.write(usage);
    process.exitCode = command === undefined || command === 'help' ? 0 : 2;
    return;
  }
  const liveSource = options.get('live-source') ?? 'auto';
  if (liveSource !== 'auto' && liveSource !== 'loop' && liveSource !== 'ffmpeg') throw new Error('--live-source must be auto, loop or ffmpeg');
  const demo = await startDemo({
    host: options.get('host') ?? '127.0.0.1',
    originPort: intOption(options, 'origin-port', 8080),
    trackerPort: intOption(options, 'tracker-port', 8081),
    liveSource,
  });
  process.stdout.write(
    [
      `Swarmcast demo (live source: ${demo.origin.liveSource})`,
      `  player:  ${demo.pageUrl}`,
      `  VOD:     ${demo.pageUrl}&src=${encodeURIComponent(demo.origin.vodMasterUrl)}`,
      `  origin:  ${demo.origin.url}/stats`,
      `  tracker: ${demo.tracker.httpUrl}/stats`,
      'Open the player in two or more tabs: the later ones fetch segments from the earlier ones.',
      'Ctrl+C to stop.',
      '',
    ].join('\n'),
  );
  const stop = (): void => {
    demo.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`swarmcast: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
