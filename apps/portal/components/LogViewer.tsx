'use client';
// Live-following logs over SSE: container picker, filter, pause, timestamps and download. Keeps the last
// MAX_LINES lines and puts at most RENDER_LINES in the DOM, so a chatty app never freezes the page.
import { useEffect, useMemo, useRef, useState } from 'react';

const MAX_LINES = 20_000;
const RENDER_LINES = 2_000;

interface Line {
  id: number;
  s: string;
  t: string;
  m: string;
  sys?: boolean;
  /** The timestamp as a sort key ('' for none). */
  k: string;
}

/**
 * Adds a line where its timestamp puts it. The pods of a deployment are followed one stream each, and each
 * stream starts with its own backlog, so lines arrive grouped by pod; read in arrival order, a request
 * that crossed two pods would show its halves minutes apart. Lines without a timestamp go last (they just
 * arrived). Mostly appends: the search runs only for lines older than the newest.
 */
function insertInTimeOrder(all: Line[], l: Line): void {
  let hi = all.length;
  if (!l.k || hi === 0 || !all[hi - 1].k || all[hi - 1].k <= l.k) {
    all.push(l);
    return;
  }
  let lo = 0;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (all[mid].k > l.k) hi = mid;
    else lo = mid + 1;
  }
  all.splice(lo, 0, l);
}

/** RFC 3339 in UTC sorts as text once the fraction has a fixed width (RFC3339Nano drops trailing zeros). */
function sortKey(t: string): string {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(t);
  return m ? `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}` : '';
}

export function LogViewer({
  ns,
  pod,
  deployment,
  containers,
  initial,
}: {
  ns: string;
  pod?: string;
  deployment?: string;
  containers: string[];
  initial: string;
}) {
  const [container, setContainer] = useState(initial);
  const [filter, setFilter] = useState('');
  const [paused, setPaused] = useState(false);
  const [timestamps, setTimestamps] = useState(false);
  const [status, setStatus] = useState('Connecting…');
  const [version, setVersion] = useState(0);
  const lines = useRef<Line[]>([]);
  const nextId = useRef(0);
  const pausedRef = useRef(paused);
  const box = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  pausedRef.current = paused;

  useEffect(() => {
    lines.current = [];
    setVersion((v) => v + 1);
    const q = new URLSearchParams({ ns, container });
    if (pod) q.set('pod', pod);
    if (deployment) q.set('deployment', deployment);
    const es = new EventSource(`/api/logs?${q}`);
    let frame = 0;
    const schedule = () => {
      if (frame || pausedRef.current) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        setVersion((v) => v + 1);
      });
    };
    es.addEventListener('ready', () => setStatus('Following'));
    es.addEventListener('failure', (e) => {
      setStatus(`Error: ${(JSON.parse((e as MessageEvent<string>).data) as { message: string }).message}`);
      es.close();
    });
    es.onerror = () => setStatus('Reconnecting…');
    es.onmessage = (e: MessageEvent<string>) => {
      const batch = JSON.parse(e.data) as { lines?: { s: string; t: string; m: string }[] };
      for (const l of batch.lines ?? [])
        insertInTimeOrder(lines.current, {
          ...l,
          k: sortKey(l.t),
          id: nextId.current++,
          sys: l.m.startsWith('log stream ended') || l.m.startsWith('cannot read logs') || /waiting to start/.test(l.m),
        });
      if (lines.current.length > MAX_LINES) lines.current.splice(0, lines.current.length - MAX_LINES);
      schedule();
    };
    return () => {
      es.close();
      if (frame) cancelAnimationFrame(frame);
    };
  }, [ns, pod, deployment, container]);

  useEffect(() => {
    if (!paused) setVersion((v) => v + 1);
  }, [paused]);

  const shown = useMemo(() => {
    void version;
    const f = filter.toLowerCase();
    const all = f ? lines.current.filter((l) => l.m.toLowerCase().includes(f) || l.s.toLowerCase().includes(f)) : lines.current;
    return all.slice(-RENDER_LINES);
  }, [version, filter]);

  useEffect(() => {
    if (stick.current && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [shown]);

  const download = () => {
    const text = lines.current.map((l) => `${l.t ? `${l.t} ` : ''}${deployment ? `[${l.s}] ` : ''}${l.m}`).join('\n');
    const url = URL.createObjectURL(new Blob([`${text}\n`], { type: 'text/plain' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${pod ?? deployment}-${container === '*' ? 'all' : container || 'default'}.log`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  return (
    <section aria-label="Logs">
      <div className="row" style={{ marginBottom: 8 }}>
        <label htmlFor="log-container" style={{ margin: 0 }}>
          Container
        </label>
        <select id="log-container" value={container} onChange={(e) => setContainer(e.target.value)}>
          {containers.length > 1 && <option value="*">All containers</option>}
          {containers.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
        <label htmlFor="log-filter" style={{ margin: 0 }}>
          Filter
        </label>
        <input id="log-filter" type="search" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="text to look for" />
        <label style={{ display: 'flex', gap: 4, alignItems: 'center', margin: 0, fontWeight: 400 }}>
          <input type="checkbox" checked={timestamps} onChange={(e) => setTimestamps(e.target.checked)} /> Timestamps
        </label>
        <button type="button" onClick={() => setPaused((p) => !p)} aria-pressed={paused}>
          {paused ? 'Resume' : 'Pause'}
        </button>
        <button type="button" onClick={download}>
          Download
        </button>
        <span className="live on" role="status">
          {paused ? 'Paused' : status} · {lines.current.length} lines
        </span>
      </div>
      <div
        className="log"
        ref={box}
        tabIndex={0}
        role="log"
        aria-label="Log lines"
        data-testid="log"
        onScroll={(e) => {
          const el = e.currentTarget;
          stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
        }}
      >
        {shown.length === 0 && <div className="line sys">{filter ? 'No line matches the filter.' : 'No log lines yet.'}</div>}
        {shown.map((l) => (
          <div key={l.id} className={`line${l.sys ? ' sys' : ''}`}>
            {timestamps && l.t && <span className="ts">{l.t}</span>}
            {(deployment || container === '*') && <span className="src">{l.s}</span>}
            {l.m}
          </div>
        ))}
      </div>
    </section>
  );
}
