// Confirms removing a host from the inventory: the console stops watching it; its agent keeps running.
import type { InventoryChange } from '../../../electron/core/api.js';
import { Dialog } from '../components/Dialog.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { useAction, useApp } from '../hooks.js';

export function RemoveHostDialog({ host, onClose, onRemoved }: { host: string; onClose: () => void; onRemoved: () => void }) {
  const { client, store } = useApp();
  const action = useAction<InventoryChange>();
  const remove = async () => {
    const c = await action.run(() => client.removeHost(host));
    if (!c) return;
    store.update({ inventory: { hosts: c.hosts, ...(c.path ? { path: c.path } : {}), writable: true } });
    onRemoved();
    onClose();
  };
  return (
    <Dialog title={`Remove ${host}?`} onClose={onClose}>
      <p>
        {host} leaves the console's inventory: the console disconnects and stops showing it. Its agent keeps running on the host, and its CARP groups stay as they are.
      </p>
      <ErrorNote error={action.error} what={`Could not remove ${host}`} />
      <div className="dialog-actions">
        <button type="button" className="danger" onClick={() => void remove()} disabled={action.pending}>
          {action.pending ? 'Removing…' : `Remove ${host}`}
        </button>
        <button type="button" onClick={onClose} data-autofocus="">
          Cancel
        </button>
      </div>
    </Dialog>
  );
}
