/**
 * The shaka namespace at runtime and in types. shaka-player ships a CommonJS bundle whose types say
 * `export default shaka`; under NodeNext a default import is then module.exports, which bundlers
 * (esbuild) give as the namespace itself. Both shapes are accepted here, once.
 */
import shakaModule from 'shaka-player';

export type Shaka = typeof shakaModule.default;
export const shaka: Shaka = (shakaModule as unknown as { default?: Shaka }).default ?? (shakaModule as unknown as Shaka);

export type ShakaPlayer = shakaModule.default.Player;
export type ShakaRequest = shakaModule.default.extern.Request;
export type ShakaResponse = shakaModule.default.extern.Response;
export type ShakaRequestContext = shakaModule.default.extern.RequestContext;
export type ShakaRequestType = shakaModule.default.net.NetworkingEngine.RequestType;
export type ShakaSchemePlugin = shakaModule.default.extern.SchemePlugin;
export type ShakaProgressUpdated = shakaModule.default.extern.ProgressUpdated;
export type ShakaOperation<T> = shakaModule.default.extern.IAbortableOperation<T>;
export type ShakaError = shakaModule.default.util.Error;
