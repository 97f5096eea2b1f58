// The deploy module's public face.
export { deployHost, deployAll, type DeployProgress } from './deploy.js';
export { readManifest, filesFor } from './manifest.js';
