// Uploading a file over SFTP atomically: to a temporary name beside the target, chmod, then rename
// (posix-rename@openssh.com), removing the temporary file when any step fails.
import { randomBytes } from 'node:crypto';
import type { Client, SFTPWrapper } from 'ssh2';
import { SshError } from './errors.js';

export async function uploadAtomic(client: Client, host: string, localPath: string, remotePath: string, mode = 0o644): Promise<void> {
  const tmp = `${remotePath}.upload-${randomBytes(4).toString('hex')}`;
  const step = <T>(what: string, fn: (cb: (err?: Error | null, v?: T) => void) => void) =>
    new Promise<T>((res, rej) => fn((err, v) => (err ? rej(new SshError(host, `${host}: ${what} failed: ${err.message}`)) : res(v as T))));
  let sftp: SFTPWrapper | undefined;
  try {
    sftp = await step<SFTPWrapper>('opening SFTP', (cb) => client.sftp(cb));
    const s = sftp;
    await step(`uploading ${localPath} to ${tmp}`, (cb) => s.fastPut(localPath, tmp, { mode }, cb));
    await step(`chmod ${tmp}`, (cb) => s.chmod(tmp, mode, cb));
    try {
      await step(`renaming ${tmp} to ${remotePath}`, (cb) => s.ext_openssh_rename(tmp, remotePath, cb));
    } catch (e) {
      await step(`removing ${tmp}`, (cb) => s.unlink(tmp, cb)).catch(() => undefined);
      throw e;
    }
  } catch (e) {
    if (sftp) {
      const s = sftp;
      await new Promise<void>((r) => s.unlink(tmp, () => r()));
    }
    throw e;
  } finally {
    sftp?.end();
  }
}
