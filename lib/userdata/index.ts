/**
 * UserData for gpu-deploy instances: a bash script that prepares the NVIDIA driver, the Docker GPU runtime and
 * an Ollama container, and reports progress per stage in {@link STATUS_FILE_PATH}.
 *
 * @example
 * import { renderUserData, toBase64UserData } from './userdata/index.js';
 * const userData = toBase64UserData(renderUserData(options));
 */
export {
  STATUS_FILE_PATH,
  LOG_FILE_PATH,
  USERDATA_MAX_BYTES,
  GPU_CHECK_IMAGE,
  STAGE_NAMES,
  userDataStages,
} from './constants.js';
export type { StageName } from './constants.js';
export { AMI_SOURCES, MAX_VRAM_MIB_LIMIT, containerCudaDevices, validateUserDataOptions } from './options.js';
export type { UserDataAmiSource, UserDataOptions } from './options.js';
export { shellQuote } from './quote.js';
export { assertUserDataSize, compressUserData, decodeUserData, renderUserData, toBase64UserData } from './render.js';
