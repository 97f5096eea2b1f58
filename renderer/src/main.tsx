// Renderer entry: connects to the console (Electron preload or WebSocket), feeds its events into the
// store, asks info() and the inventory, and mounts the React app.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { connect } from './api.js';
import { refreshInventory } from './actions.js';
import { App } from './App.js';
import { AppContext } from './hooks.js';
import { toCallError } from './logic/errors.js';
import { Store } from './store.js';
import './styles.css';

const conn = connect();
const client = conn.client;
const store = new Store(conn.state());

async function loadInfo(): Promise<void> {
  try {
    store.update({ info: await client.info(), infoError: undefined });
  } catch (e) {
    store.update({ infoError: toCallError(e) });
  }
}

let wasOpen = conn.state().status === 'open';
conn.onState((s) => {
  store.update({ connection: s });
  // After a reconnect the stream restarts with a fleet; info and inventory are asked again.
  if (s.status === 'open' && !wasOpen) {
    void loadInfo();
    void refreshInventory(store, client);
  }
  wasOpen = s.status === 'open';
});
client.subscribe((e) => store.event(e));
if (wasOpen) {
  void loadInfo();
  void refreshInventory(store, client);
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AppContext.Provider value={{ store, client }}>
      <App />
    </AppContext.Provider>
  </StrictMode>,
);
