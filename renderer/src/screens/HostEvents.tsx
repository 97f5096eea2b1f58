// A host's recent events, newest first: agent state changes with their reason, maintenance steps,
// deploys, applies, status changes, host keys and errors (from the bounded event list).
import { useAppState } from '../hooks.js';
import { clockTime } from '../logic/age.js';
import { hostEventLines } from '../logic/event-text.js';
import { MAX_EVENTS } from '../logic/state.js';

export function HostEvents({ host }: { host: string }) {
  const events = useAppState((s) => s.console.events);
  const lines = hostEventLines(events, host, 100);
  return (
    <section className="panel" aria-labelledby="host-events-title">
      <h2 id="host-events-title">Recent events</h2>
      {!lines.length ? (
        <p className="muted small">Nothing from {host} since this window opened.</p>
      ) : (
        <ol className="events" tabIndex={0} aria-labelledby="host-events-title">
          {lines.map((l, i) => (
            <li key={`${l.at}-${i}`} className={`event tone-border-${l.tone}`}>
              <time className="mono muted small">{clockTime(l.at)}</time> <span className="event-kind small">{l.kind}</span> {l.text}
            </li>
          ))}
        </ol>
      )}
      <p className="small muted">The window keeps the last {MAX_EVENTS} events of the whole fleet.</p>
    </section>
  );
}
