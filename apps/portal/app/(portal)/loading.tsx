// What a page shows while its data comes from the API: the shape of what is coming, announced to screen readers.
export default function Loading() {
  return (
    <div role="status" aria-live="polite" aria-busy="true" data-testid="loading">
      <span className="skip">Loading…</span>
      <div className="skeleton" style={{ width: '40%', height: 28, marginBottom: 8 }} />
      <div className="skeleton" style={{ width: '60%', height: 16, marginBottom: 20 }} />
      <div className="card" aria-hidden="true">
        {[0, 1, 2, 3, 4].map((i) => (
          <div key={i} className="skeleton" style={{ height: 18, margin: '10px 0', width: `${90 - i * 8}%` }} />
        ))}
      </div>
      <p className="sub" style={{ marginTop: 12 }}>
        Loading from the API…
      </p>
    </div>
  );
}
