// "Check host key": asks the console which SSH key the host presents. An unknown key is shown as
// OpenSSH shows it and trusted only when the operator confirms; a changed key is refused, with its message.
import { useEffect } from 'react';
import type { HostKeyVerdict } from '../../../electron/core/transport.js';
import { Dialog } from '../components/Dialog.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { useAction, useApp, useCanAct } from '../hooks.js';
import { compareCommand, hostWithAddress, keyTypeLabel } from '../logic/host-key.js';

export function HostKeyDialog({ host, address, onClose }: { host: string; address?: string; onClose: () => void }) {
  const { client } = useApp();
  const canAct = useCanAct();
  const check = useAction<HostKeyVerdict>();
  const confirm = useAction<HostKeyVerdict>();
  const { run } = check;

  useEffect(() => {
    void run(() => client.trustHostKey(host));
  }, [client, host, run]);

  const v = confirm.result ?? check.result;
  // The core answers 'refused' only over the key itself (changed, revoked, not the one confirmed);
  // an unreachable host is 'unreachable' and shown as a plain error.
  const keyError = [check.error, confirm.error].find((e) => e?.code === 'refused');
  const changed = keyError !== undefined;

  return (
    <Dialog title={`Host key of ${host}`} onClose={onClose}>
      {check.pending && <p role="status">Asking {host} for its SSH host key…</p>}
      {changed && (
        <div className="danger-box" role="alert">
          <p>
            <strong>
              <span aria-hidden="true">✕ </span>The console refuses this host key.
            </strong>{' '}
            {keyError.message}
          </p>
          <p className="small">
            A changed key means the host was reinstalled, or someone is in the middle. Find out which before anything else; the message above says how to remove the old key
            if the host really was reinstalled. The console never trusts a changed key from here.
          </p>
        </div>
      )}
      {!changed && <ErrorNote error={check.error} what={`Could not read ${host}'s host key`} />}

      {v?.status === 'known' && (
        <p className="result-ok" role="status">
          <span aria-hidden="true">✓ </span>
          {host}'s host key is already known and trusted. Nothing to do.
        </p>
      )}

      {v?.status === 'unknown' && (
        <div className="ssh-prompt">
          <p>
            The authenticity of host '<strong>{hostWithAddress(host, address)}</strong>' can't be established.
          </p>
          <p>
            {keyTypeLabel(v.keyType)} key fingerprint is <code className="fingerprint">{v.fingerprint}</code>.
          </p>
          <p className="small">
            Compare it with what <code>{compareCommand(v.keyType)}</code> prints on {host}'s own console (not over this network).
          </p>
          <p>
            <strong>Are you sure you want to continue connecting?</strong>
          </p>
          <ErrorNote error={changed ? undefined : confirm.error} what="Could not trust the key" />
          <div className="dialog-actions">
            <button type="button" className="primary" disabled={!canAct || confirm.pending} onClick={() => void confirm.run(() => client.trustHostKey(host, v.fingerprint))}>
              {confirm.pending ? 'Trusting…' : 'Yes, trust this key'}
            </button>
            <button type="button" onClick={onClose}>
              No, cancel
            </button>
          </div>
          {!canAct && <p className="small muted">This console is read-only: keys cannot be trusted from here.</p>}
        </div>
      )}

      {v?.status === 'trusted' && (
        <div className="result-ok" role="status">
          <p>
            <span aria-hidden="true">✓ </span>
            <strong>Trusted.</strong> {keyTypeLabel(v.keyType)} key <code className="fingerprint">{v.fingerprint}</code> recorded in <code>{v.file}</code>. The console reconnects to {host} now.
          </p>
        </div>
      )}

      {v?.status !== 'unknown' && (
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            Close
          </button>
        </div>
      )}
    </Dialog>
  );
}
