// Dev harness only: a fake `window.carp` (the Electron preload's shape) that stands in for the console
// core so the screens can be looked at without a backend. Not the core, not a test of it: the real
// end-to-end tests run against a lab (e2e/). Reads its scenario from window.__CARP_FAKE__.
(() => {
  const cfg = window.__CARP_FAKE__;
  if (!cfg) return;
  const shift = Date.now() - cfg.builtAt;
  const listeners = new Set();
  const gates = new Map();
  let scenario = cfg.initial;
  const unknownKeys = new Set(cfg.unknownKeys || []);
  const clone = (x) => JSON.parse(JSON.stringify(x));
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  /** The scenario's fleet with its times moved to now: live hosts heard now, the others keep their age. */
  function fleetNow() {
    const now = Date.now();
    const f = clone(cfg.fleets[scenario]);
    f.at = now;
    for (const h of f.hosts) h.lastSeen = h.status === 'live' ? now : h.lastSeen ? h.lastSeen + shift : 0;
    for (const g of f.groups) for (const m of g.members) m.lastSeen = m.live ? now : m.lastSeen ? m.lastSeen + shift : 0;
    return f;
  }
  const emit = (e) => {
    for (const l of [...listeners]) l(e);
  };
  const emitFleet = () => emit({ type: 'fleet', at: Date.now(), fleet: fleetNow() });
  function setScenario(name) {
    scenario = name;
    emitFleet();
  }
  setInterval(() => {
    if (!cfg.frozen) emitFleet();
  }, 1000);

  /** A gate holds a long action at a visible point until the harness releases it. */
  function gate(name) {
    if (!(cfg.gates || []).includes(name)) return Promise.resolve();
    return new Promise((r) => gates.set(name, [...(gates.get(name) || []), r]));
  }
  window.__fake = {
    release(name) {
      const rs = gates.get(name) || [];
      gates.delete(name);
      for (const r of rs) r();
      return rs.length > 0;
    },
    setScenario,
    waiting: () => [...gates.keys()],
  };

  const agentState = (host, vhid, from, to, reason) => {
    const at = Date.now();
    emit({ type: 'agent', at, receivedAt: at, host, event: { kind: 'state', at, vhid, interface: 'eth0', from, to, reason } });
  };
  const hostEvent = (host, status, error) => emit({ type: 'host', at: Date.now(), host, status, ...(error ? { error } : {}) });
  const m = (op, host, step, detail, group) => emit({ type: 'maintenance', at: Date.now(), op, host, step, ...(group ? { group } : {}), ...(detail ? { detail } : {}) });
  const ok = (result) => ({ ok: true, result });
  const fail = (code, message) => ({ ok: false, error: { code, message } });
  const change = (c) => ({ added: [], updated: [], removed: [], unchanged: [], hosts: cfg.inventory, path: '/root/.config/carp-console/inventory.json', ...c });

  const MUTATING = new Set(['addHost', 'importHosts', 'removeHost', 'deploy', 'set', 'demote', 'maintenanceEnter', 'maintenanceExit']);
  function mutates(method, args) {
    if (method === 'applyGroup' || method === 'deleteGroup') return !(args[1] && args[1].dryRun);
    if (method === 'trustHostKey') return args[1] !== undefined;
    return MUTATING.has(method);
  }

  async function deploy(hosts, opts) {
    const op = opts && opts.op;
    const names = hosts && hosts.length ? hosts : cfg.inventory.map((h) => h.name);
    const steps = ['connect', 'detect', 'check-node', 'upload', 'verify', 'install-service', 'start', 'handshake', 'done'];
    const details = { connect: 'root@198.18.0.x:22', detect: 'linux x64, systemd', 'check-node': 'node v20.19.2', upload: 'carp-agent.js 412 kB + koffi', handshake: 'agent 0.1.0 answers' };
    const results = [];
    await Promise.all(
      names.map(async (host, k) => {
        for (let i = 0; i < steps.length; i++) {
          const step = steps[i];
          if (step === 'upload') await gate('deploy');
          await sleep(120 + k * 40);
          if (cfg.deployFail === host && step === 'check-node') {
            emit({ type: 'deploy', at: Date.now(), op, host, step: 'failed', progress: i / 8, detail: 'node v16.20.2 is too old: carp-agent needs Node >= 18 (install nodejs 18 or newer)' });
            results.push({ host, ok: false, error: 'node v16.20.2 is too old: carp-agent needs Node >= 18 (install nodejs 18 or newer)' });
            return;
          }
          emit({ type: 'deploy', at: Date.now(), op, host, step, progress: i / 8, ...(details[step] ? { detail: details[step] } : {}) });
        }
        results.push({ host, ok: true, version: '0.1.0' });
      }),
    );
    return ok(results.sort((a, b) => a.host.localeCompare(b.host)));
  }

  function groupDiff(spec) {
    const g = cfg.fleets.normal.groups.find((x) => x.vhid === spec.vhid);
    const diff = [];
    for (const mem of spec.members) {
      const cur = g && g.members.find((x) => x.host === mem.host);
      if (!cur) {
        diff.push({ host: mem.host, action: 'create', fields: [
          { field: 'addresses', before: null, after: spec.addresses.join(' ') },
          { field: 'advbase', before: null, after: String(mem.advbase ?? spec.advbase ?? 1) },
          { field: 'advskew', before: null, after: String(mem.advskew) },
          { field: 'preempt', before: null, after: String(mem.preempt ?? spec.preempt ?? false) },
        ] });
        continue;
      }
      const fields = [];
      const want = { advbase: mem.advbase ?? spec.advbase ?? 1, advskew: mem.advskew, preempt: mem.preempt ?? spec.preempt ?? false };
      for (const k of ['advbase', 'advskew', 'preempt']) if (cur[k] !== want[k]) fields.push({ field: k, before: String(cur[k]), after: String(want[k]) });
      if ((cur.name || '') !== (spec.name || '')) fields.push({ field: 'name', before: cur.name || null, after: spec.name || null });
      diff.push({ host: mem.host, action: fields.length ? 'update' : 'unchanged', fields });
    }
    for (const cur of g ? g.members : []) {
      if (!spec.members.some((x) => x.host === cur.host)) diff.push({ host: cur.host, action: 'delete', fields: [{ field: 'group', before: `vhid ${spec.vhid} on ${cur.interface}`, after: null }] });
    }
    return diff;
  }

  async function applyGroup(spec, opts) {
    const op = opts && opts.op;
    const dry = !!(opts && opts.dryRun);
    const diff = groupDiff(spec);
    const work = diff.filter((d) => d.action !== 'unchanged');
    const a = (step, host, detail) => emit({ type: 'apply', at: Date.now(), op, ...(host ? { host } : {}), step, ...(detail ? { detail } : {}) });
    const preview = [`group vhid ${spec.vhid}${spec.name ? ` (${spec.name})` : ''} on ${spec.interface}: ${spec.addresses.join(' ')}`, ...diff.map((d) => `  ${d.host}: ${d.action}  ${d.fields.map((f) => `${f.field} ${f.before ?? '(none)'} -> ${f.after ?? '(none)'}`).join(', ')}`)].join('\n');
    a('validate', undefined, `dry run on ${work.map((d) => d.host).join(', ')}`);
    await sleep(300);
    if (dry) {
      a('done', undefined, 'dry run: every host accepted');
      return ok({ ok: true, dryRun: true, phase: 'done', hosts: diff.map((d) => ({ host: d.host, action: d.action, outcome: d.action === 'unchanged' ? 'unchanged' : 'validated', revision: 4 })), summary: `dry run: ${work.length} host(s) would change; nothing was changed`, preview, diff });
    }
    const hosts = [];
    for (const d of diff) {
      if (d.action === 'unchanged') {
        hosts.push({ host: d.host, action: d.action, outcome: 'unchanged' });
        continue;
      }
      a('apply', d.host, d.action);
      await sleep(250);
      if (cfg.applyFail === d.host) {
        a('failed', d.host, 'timeout: no reply within 10000 ms; the agent had not applied it (revision 4)');
        hosts.push({ host: d.host, action: d.action, outcome: 'failed', error: { code: 'timeout', message: 'no reply within 10000 ms; the agent had not applied it (revision 4)' } });
        for (const h of hosts) if (h.outcome === 'applied') {
          h.outcome = 'rolled-back';
          a('rolled-back', h.host, `revision ${h.revision} undone`);
        }
        a('done');
        return ok({ ok: false, dryRun: false, phase: 'apply', hosts, summary: `apply failed on ${d.host}: no reply within 10000 ms; 1 change(s) already made were rolled back, every host is as before`, preview, diff });
      }
      a('applied', d.host, 'revision 5');
      hosts.push({ host: d.host, action: d.action, outcome: 'applied', revision: 5 });
    }
    a('done', undefined, `${work.length} host(s) changed`);
    return ok({ ok: true, dryRun: false, phase: 'done', hosts, summary: work.length ? `applied on ${work.map((d) => d.host).join(', ')}` : 'nothing to change', preview, diff });
  }

  async function maintenanceEnter(host, opts = {}) {
    const op = opts.op;
    const startedAt = Date.now();
    const base = { host, startedAt, handovers: [] };
    if (opts.reboot) {
      const pf = { host, ok: true, mastered: [], blocked: [], message: `${host} masters no group: nothing has to move` };
      m(op, host, 'preflight', pf.message);
      m(op, host, 'reboot', `rebooting ${host} over SSH`);
      await sleep(300);
      m(op, host, 'wait-host', `waiting for ${host} to go down and answer SSH again`);
      setScenario('fw1-down');
      hostEvent(host, 'unreachable', 'connect ECONNREFUSED 198.18.0.1:22');
      await gate('reboot');
      await sleep(900);
      if (cfg.rebootFail) {
        setScenario('fw1-no-agent');
        hostEvent(host, 'no-agent', 'carp-agent does not answer on /run/carp-agent.sock');
        m(op, host, 'wait-agent', `waiting for ${host}'s agent to report`);
        await sleep(300);
        const reason = `${host} is up but its agent did not report within 60000 ms (see /var/log/carp-agent.log on it); it will start in maintenance`;
        m(op, host, 'stopped', `stopped at wait-agent: ${reason} — ${host} IS IN MAINTENANCE`);
        return ok({ ...base, ok: false, step: 'stopped', stoppedAt: 'wait-agent', reason, inMaintenance: true, preflight: pf, finishedAt: Date.now() });
      }
      setScenario('fw1-back');
      hostEvent(host, 'live');
      m(op, host, 'wait-agent', `waiting for ${host}'s agent to report`);
      await sleep(400);
      m(op, host, 'done', `${host} is back, still in maintenance; run \`carpctl maintenance exit ${host}\` to take it out`);
      return ok({ ...base, ok: true, step: 'done', inMaintenance: true, preflight: pf, finishedAt: Date.now() });
    }
    const pf = (scenario === 'no-successor' ? cfg.preflight['fw1-no-successor'] : cfg.preflight[host]) || { host, ok: true, mastered: [], blocked: [], message: `${host} masters no group: nothing has to move` };
    m(op, host, 'preflight', pf.message);
    if (!pf.ok && !opts.force) {
      const reason = `refused: ${pf.message}`;
      m(op, host, 'stopped', `stopped at preflight: ${reason}`);
      return ok({ ...base, ok: false, step: 'stopped', stoppedAt: 'preflight', reason, inMaintenance: false, preflight: pf, finishedAt: Date.now() });
    }
    m(op, host, 'maintenance-on', 'asking the agent to hand every group to a peer');
    await sleep(200);
    const keys = pf.mastered.map((g) => g.key);
    if (keys.length) m(op, host, 'handover', `waiting for a new master of ${keys.join(', ')} (reported by its own agent)`);
    await gate('handover');
    await sleep(500);
    if (cfg.handoverFail) {
      const reason = `no new master reported within 15000 ms for ${keys.join(', ')}; ${host} stays in maintenance`;
      m(op, host, 'stopped', `stopped at handover: ${reason} — ${host} IS IN MAINTENANCE`);
      return ok({ ...base, ok: false, step: 'stopped', stoppedAt: 'handover', reason, inMaintenance: true, preflight: pf, finishedAt: Date.now() });
    }
    setScenario('fw1-maint');
    agentState(host, 1, 'MASTER', 'BACKUP', 'maintenance on: bowed out (advbase 255 advskew 255), successor heard');
    agentState('fw3', 1, 'BACKUP', 'MASTER', 'master bowed out (advbase 255 advskew 255); took over after 0.20 s (advskew 50/256 s)');
    const handovers = pf.mastered.map((g) => ({ group: g.key, to: g.successor, at: Date.now() }));
    for (const h of handovers) m(op, host, 'handover', `${h.group} now mastered by ${h.to}`, h.group);
    m(op, host, 'done', `${host} is in maintenance; run \`carpctl maintenance exit ${host}\` to take it out`);
    return ok({ ...base, ok: true, step: 'done', inMaintenance: true, preflight: pf, handovers, finishedAt: Date.now() });
  }

  async function maintenanceExit(host) {
    await sleep(200);
    setTimeout(() => {
      setScenario('fw1-exiting');
      emit({ type: 'agent', at: Date.now(), receivedAt: Date.now(), host, event: { kind: 'demotion', at: Date.now(), demote: 0, maintenance: false } });
    }, 300);
    if (!cfg.exitStuck) {
      setTimeout(() => {
        setScenario('fw1-returned');
        agentState(host, 1, 'BACKUP', 'MASTER', 'preempt: own advert (advskew 0) better than the master (advskew 50)');
        agentState('fw3', 1, 'MASTER', 'BACKUP', 'more preferred master heard (fw1, advskew 0)');
      }, 1200);
    }
    return ok({ host, result: { maintenance: false, demote: 0 } });
  }

  async function call(method, args) {
    await sleep(40);
    if (cfg.readOnly && mutates(method, args)) return fail('read-only', `${method} is refused: this console is read-only (started with --read-only)`);
    switch (method) {
      case 'info':
        return ok({ version: '0.1.0', readOnly: !!cfg.readOnly, staleMs: 3000, inventory: '/root/.config/carp-console/inventory.json', knownHostsFile: '/root/.config/carp-console/known_hosts' });
      case 'inventory':
        return ok({ hosts: cfg.inventory, path: '/root/.config/carp-console/inventory.json', writable: true });
      case 'fleet':
        return ok(fleetNow());
      case 'hosts':
        return ok(fleetNow().hosts);
      case 'importHosts': {
        const src = args[0] || {};
        if (src.path && src.path.includes('missing')) return fail('invalid', `cannot read ${src.path}: ENOENT: no such file or directory`);
        if (src.text !== undefined) {
          const names = [...src.text.matchAll(/^Host\s+(\S+)/gm)].map((x) => x[1]);
          return ok(change({ added: names.filter((n) => !cfg.inventory.some((h) => h.name === n)), unchanged: names.filter((n) => cfg.inventory.some((h) => h.name === n)) }));
        }
        return ok(change({ added: ['fw1', 'fw2', 'fw3'] }));
      }
      case 'addHost':
        return ok(change({ added: [args[0].name] }));
      case 'removeHost':
        return ok(change({ removed: [args[0]], hosts: cfg.inventory.filter((h) => h.name !== args[0]) }));
      case 'deploy':
        return deploy(args[0], args[1]);
      case 'applyGroup':
        return applyGroup(args[0], args[1]);
      case 'demote':
        if (scenario === 'degraded') setTimeout(() => setScenario('normal'), 500);
        return ok({ host: args[0], result: { demote: args[2] } });
      case 'set':
        return ok({ host: args[0], result: {} });
      case 'maintenanceEnter':
        return maintenanceEnter(args[0], args[1]);
      case 'maintenanceExit':
        return maintenanceExit(args[0]);
      case 'trustHostKey': {
        const [host, fp] = args;
        if ((cfg.changedKeys || []).includes(host)) {
          return fail('refused', `HOST KEY CHANGED for ${host} (198.18.0.2:22): it now presents ${cfg.fingerprint}, which differs from the key in /root/.ssh/known_hosts:3; possible man-in-the-middle; if the host was reinstalled, remove the old key with ssh-keygen -R 198.18.0.2 -f /root/.ssh/known_hosts and confirm the new one`);
        }
        if (!unknownKeys.has(host)) return ok({ host, status: 'known' });
        if (!fp) return ok({ host, status: 'unknown', keyType: 'ssh-ed25519', fingerprint: cfg.fingerprint });
        unknownKeys.delete(host);
        const file = '/root/.config/carp-console/known_hosts';
        emit({ type: 'host-key', at: Date.now(), host, keyType: 'ssh-ed25519', fingerprint: fp, file });
        setTimeout(() => setScenario('normal'), 600);
        return ok({ host, status: 'trusted', keyType: 'ssh-ed25519', fingerprint: fp, file });
      }
      case 'history': {
        // the timeline's look: cfg.timeline (renderer/dev/fake-history.ts), shifted to now like the rest
        const q = args[0] || {};
        const records = (cfg.timeline || []).map((r) => ({ ...r, t: r.t + shift })).filter((r) => r.t >= q.from && r.t <= (q.to ?? Infinity));
        return ok({ records, truncated: false, oldest: cfg.timeline && cfg.timeline.length ? cfg.timeline[0].t + shift : null });
      }
      default:
        return fail('invalid', `unknown method ${JSON.stringify(method)}`);
    }
  }

  window.carp = {
    call: (method, args) => call(method, args),
    subscribe(listener) {
      listeners.add(listener);
      listener({ type: 'fleet', at: Date.now(), fleet: fleetNow() });
      for (const e of cfg.history || []) listener({ ...e, at: e.at + shift, ...(e.receivedAt ? { receivedAt: e.receivedAt + shift } : {}) });
      return () => listeners.delete(listener);
    },
  };
})();
