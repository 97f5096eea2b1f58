// The deploy module's public face.
export { deployHost, deployAll, handshake, DeployError, type DeployOptions, type DeployProgress, type DeployResult, type DeployStep } from './deploy.js';
export { readManifest, filesFor, ManifestSchema, AGENT_MAIN, type Manifest, type ManifestFile } from './manifest.js';
export { parseFacts, nodeInstallCommand, checkNode, type HostFacts } from './platform.js';
export { ATTACH_COMMAND, WRAPPER, WRAPPER_LINK, CONFIG, BASE, CURRENT, editRcLocal } from './scripts.js';
