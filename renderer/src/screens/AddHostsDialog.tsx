// "Add hosts": three ways in: import a file the console machine can read (~/.ssh/config, an Ansible
// inventory, the lab's JSON), paste or upload such a text, or one host by hand.
import { useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { InventoryChange } from '../../../electron/core/api.js';
import { HostInputSchema } from '../../../electron/core/contract.js';
import { Dialog } from '../components/Dialog.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { useAction, useApp } from '../hooks.js';
import { validateHostForm, type HostForm } from '../logic/host-form.js';

type Way = 'path' | 'text' | 'hand';
const WAYS: Array<{ id: Way; label: string }> = [
  { id: 'path', label: 'File on the console machine' },
  { id: 'text', label: 'Paste or upload' },
  { id: 'hand', label: 'By hand' },
];

function ChangeSummary({ c }: { c: InventoryChange }) {
  const line = (what: string, names: string[]) => (names.length ? <li>{`${what}: ${names.join(', ')}`}</li> : null);
  return (
    <div className="result-ok" role="status">
      <p>
        <span aria-hidden="true">✓ </span>
        <strong>
          {c.added.length + c.updated.length
            ? `${c.added.length} added, ${c.updated.length} updated${c.unchanged.length ? `, ${c.unchanged.length} unchanged` : ''}.`
            : 'Nothing new: every host was already in the inventory.'}
        </strong>
      </p>
      <ul className="plain">
        {line('Added', c.added)}
        {line('Updated', c.updated)}
        {line('Unchanged', c.unchanged)}
        {line('Removed', c.removed)}
      </ul>
      <p className="small muted">{c.path ? `Stored in ${c.path}. ` : 'The console runs on an inventory it does not write: not stored. '}The console connects to new hosts at once.</p>
    </div>
  );
}

export function AddHostsDialog({ onClose }: { onClose: () => void }) {
  const { client, store } = useApp();
  const [way, setWay] = useState<Way>('path');
  const action = useAction<InventoryChange>();
  const ids = useId();
  const tabRefs = useRef<Array<HTMLButtonElement | null>>([]);

  const [path, setPath] = useState('~/.ssh/config');
  const [text, setText] = useState('');
  const [textName, setTextName] = useState('');
  const [form, setForm] = useState<HostForm>({ name: '', address: '', port: '22', user: 'root', identityFile: '', jump: '' });
  const [formErrors, setFormErrors] = useState<Record<string, string>>({});

  const done = (c: InventoryChange | undefined) => {
    if (c) store.update({ inventory: { hosts: c.hosts, ...(c.path ? { path: c.path } : {}), writable: true } });
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (way === 'path') done(await action.run(() => client.importHosts({ path: path.trim() })));
    else if (way === 'text') done(await action.run(() => client.importHosts({ text, ...(textName.trim() ? { name: textName.trim() } : {}) })));
    else {
      const { input, errors } = validateHostForm(form, HostInputSchema);
      setFormErrors(errors);
      if (Object.keys(errors).length) return;
      done(await action.run(() => client.addHost(input)));
    }
  };

  const onTabKey = (e: KeyboardEvent, i: number) => {
    const n = e.key === 'ArrowRight' ? (i + 1) % WAYS.length : e.key === 'ArrowLeft' ? (i + WAYS.length - 1) % WAYS.length : e.key === 'Home' ? 0 : e.key === 'End' ? WAYS.length - 1 : -1;
    if (n < 0) return;
    e.preventDefault();
    setWay(WAYS[n].id);
    action.reset();
    tabRefs.current[n]?.focus();
  };

  const field = (k: keyof HostForm, label: string, opts: { placeholder?: string; hint?: string; mono?: boolean; inputMode?: 'numeric' } = {}) => {
    const id = `${ids}-${k}`;
    const err = formErrors[k];
    return (
      <div className="field">
        <label htmlFor={id}>{label}</label>
        <input
          id={id}
          className={opts.mono ? 'mono' : undefined}
          value={form[k]}
          placeholder={opts.placeholder}
          inputMode={opts.inputMode}
          aria-invalid={err ? true : undefined}
          aria-describedby={err || opts.hint ? `${id}-help` : undefined}
          onChange={(e) => setForm({ ...form, [k]: e.target.value })}
        />
        {(err || opts.hint) && (
          <span id={`${id}-help`} className={err ? 'field-error' : 'hint'}>
            {err ? `${label} ${err}` : opts.hint}
          </span>
        )}
      </div>
    );
  };

  return (
    <Dialog title="Add hosts" onClose={onClose} wide>
      <div role="tablist" aria-label="How to add hosts" className="tablist">
        {WAYS.map((w, i) => (
          <button
            key={w.id}
            ref={(el) => {
              tabRefs.current[i] = el;
            }}
            type="button"
            role="tab"
            id={`${ids}-tab-${w.id}`}
            aria-selected={way === w.id}
            aria-controls={`${ids}-panel`}
            tabIndex={way === w.id ? 0 : -1}
            data-autofocus={way === w.id ? '' : undefined}
            onClick={() => {
              setWay(w.id);
              action.reset();
            }}
            onKeyDown={(e) => onTabKey(e, i)}
          >
            {w.label}
          </button>
        ))}
      </div>
      <div id={`${ids}-panel`} role="tabpanel" aria-labelledby={`${ids}-tab-${way}`} className="tabpanel">
        <form onSubmit={(e) => void submit(e)}>
          {way === 'path' && (
            <div className="field">
              <label htmlFor={`${ids}-path`}>Path on the console machine</label>
              <input id={`${ids}-path`} className="mono" value={path} onChange={(e) => setPath(e.target.value)} aria-describedby={`${ids}-path-hint`} />
              <span id={`${ids}-path-hint`} className="hint">
                An ssh_config (Host blocks, Include, ProxyJump, IdentityFile), an Ansible inventory (INI or YAML), the lab's JSON or an inventory JSON. Hosts are
                matched by name; nothing is removed.
              </span>
            </div>
          )}
          {way === 'text' && (
            <>
              <div className="field">
                <label htmlFor={`${ids}-text`}>Inventory text</label>
                <textarea
                  id={`${ids}-text`}
                  className="mono"
                  rows={10}
                  value={text}
                  onChange={(e) => setText(e.target.value)}
                  placeholder={'Host fw1\n  HostName 198.18.1.1\n  User root\n  IdentityFile ~/.ssh/id_ed25519'}
                  aria-describedby={`${ids}-text-hint`}
                />
                <span id={`${ids}-text-hint`} className="hint">
                  ssh_config, Ansible INI/YAML, lab JSON: the format is detected.
                </span>
              </div>
              <div className="field-row">
                <div className="field">
                  <label htmlFor={`${ids}-upload`}>Or upload a file</label>
                  <input
                    id={`${ids}-upload`}
                    type="file"
                    onChange={(e) => {
                      const f = e.target.files?.[0];
                      if (!f) return;
                      void f.text().then((t) => {
                        setText(t);
                        setTextName(f.name);
                      });
                    }}
                  />
                </div>
                <div className="field">
                  <label htmlFor={`${ids}-name`}>Source name (for messages)</label>
                  <input id={`${ids}-name`} value={textName} onChange={(e) => setTextName(e.target.value)} placeholder="pasted" />
                </div>
              </div>
            </>
          )}
          {way === 'hand' && (
            <div className="form-grid">
              {field('name', 'Name', { placeholder: 'fw1' })}
              {field('address', 'Address', { placeholder: '198.18.1.1', mono: true })}
              {field('port', 'Port', { inputMode: 'numeric', mono: true })}
              {field('user', 'User')}
              {field('identityFile', 'Identity file', { placeholder: '~/.ssh/id_ed25519', hint: 'Optional: ssh-agent keys are tried first.', mono: true })}
              {field('jump', 'Jump host', { placeholder: 'bastion', hint: "Optional, like ssh's ProxyJump." })}
            </div>
          )}
          <ErrorNote error={action.error} what={way === 'hand' ? 'Could not add the host' : 'Could not import'} />
          {action.result && <ChangeSummary c={action.result} />}
          <div className="dialog-actions">
            <button type="submit" className="primary" disabled={action.pending || (way === 'text' && !text.trim()) || (way === 'path' && !path.trim())}>
              {action.pending ? 'Working…' : way === 'hand' ? 'Add host' : 'Import'}
            </button>
            <button type="button" onClick={onClose}>
              {action.result ? 'Done' : 'Cancel'}
            </button>
          </div>
        </form>
      </div>
    </Dialog>
  );
}
