// Confirms "Deploy / upgrade agent" on the selected hosts (or all): names them and what happens.
import { Dialog } from '../components/Dialog.js';
import { startDeploy } from '../actions.js';
import { useApp } from '../hooks.js';

export function DeployDialog({ hosts, allHosts, onClose }: { hosts: string[]; allHosts: string[]; onClose: () => void }) {
  const { client, store } = useApp();
  const list = hosts.length ? hosts : allHosts;
  const go = () => {
    void startDeploy(store, client, hosts);
    onClose();
  };
  return (
    <Dialog title="Deploy / upgrade agent" onClose={onClose}>
      <p>
        Installs or upgrades carp-agent on <strong>{hosts.length ? list.join(', ') : `every host (${list.join(', ')})`}</strong>: uploads it over SSH, installs the service and checks
        the handshake. A new version that fails its handshake is rolled back.
      </p>
      <div className="dialog-actions">
        <button type="button" className="primary" onClick={go} data-autofocus="">
          Deploy to {list.length} {list.length === 1 ? 'host' : 'hosts'}
        </button>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}
