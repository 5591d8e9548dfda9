import { readSigningKeyFile, startRecordsServer, startSigningSidecar } from '@swarmcast/integrity';
import type { RecordsServer, SigningSidecar } from '@swarmcast/integrity';
import { intOption } from './args.js';

/** Where the secret may come from instead of --secret, which other local users can read in `ps`. */
const SECRET_ENV = 'SWARMCAST_AUTHORITY_SECRET';

/**
 * `swarmcast sign --stream URL [--stream URL...] --key FILE --publish ws://tracker/authority --secret S
 * [--records-port N [--records-host H]]`: signs every segment of the streams and publishes the records
 * to the tracker, until SIGINT/SIGTERM. With --records-port it also serves the latest live records
 * over HTTP (/integrity/live), the players' integrityRecordsUrl: they keep trading segments through a
 * tracker outage.
 */
export async function runSign(options: Map<string, string>, lists: Map<string, string[]>): Promise<void> {
  const streams = lists.get('stream') ?? [];
  const keyFile = options.get('key');
  const publishUrl = options.get('publish');
  const secret = options.get('secret') ?? process.env[SECRET_ENV];
  if (streams.length === 0) throw new Error('sign needs at least one --stream URL');
  if (keyFile === undefined || keyFile === 'true') throw new Error('sign needs --key FILE (from swarmcast keygen)');
  if (publishUrl === undefined || publishUrl === 'true') throw new Error('sign needs --publish ws://TRACKER/authority');
  if (secret === undefined || secret === 'true') throw new Error(`sign needs --secret S (or ${SECRET_ENV})`);

  const recordsPort = options.has('records-port') ? intOption(options, 'records-port', 0) : undefined;
  const recordsHost = options.get('records-host') ?? '127.0.0.1';

  const signingKeyPkcs8 = await readSigningKeyFile(keyFile);
  const sidecar: SigningSidecar = startSigningSidecar({ publishUrl, secret, authority: { signingKeyPkcs8, streams } });
  let records: RecordsServer | undefined;
  try {
    if (recordsPort !== undefined) records = await startRecordsServer(sidecar.authority, { host: recordsHost, port: recordsPort });
  } catch (error) {
    await sidecar.close();
    throw error;
  }
  sidecar.onError((error) => {
    // That one stops the sidecar and is reported once, as the command's failure.
    if (error.code === 'PUBLISH_UNAUTHORIZED') return;
    process.stderr.write(`swarmcast sign: ${error.message}${error.url === undefined ? '' : ` (${error.url})`}\n`);
  });
  const [key] = sidecar.authority.keys();
  process.stdout.write(`signing ${streams.length} stream(s) with key ${key?.keyId ?? '?'} (${key?.publicKey ?? '?'}), publishing to ${publishUrl}\n`);
  if (records !== undefined) process.stdout.write(`live records at ${records.url} (the players' integrityRecordsUrl)\n`);
  const stop = (): void => {
    void sidecar.close();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const reason = await sidecar.stopped;
  await records?.close();
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  const stats = sidecar.stats();
  process.stdout.write(`stopped: ${stats.authority.segmentsSigned} segments signed, ${stats.recordsSent} records sent\n`);
  if (reason !== undefined) throw reason;
}
