type Point = { label: string; ok: number; bad: number };

/** Delivered (up) and failed (down) per period as a tiny server-rendered SVG, the numbers in each column's tooltip. */
export function Sparkline({ title, points }: { title: string; points: Point[] }) {
  const top = Math.max(1, ...points.map((p) => Math.max(p.ok, p.bad)));
  const w = 4;
  const half = 12;
  return (
    <svg
      class="spark"
      role="img"
      aria-label={title}
      viewBox={`0 0 ${points.length * w} ${half * 2}`}
      width={points.length * w}
      height={half * 2}
    >
      <title>{title}</title>
      {points.map((p, i) => (
        <g>
          <title>{`${p.label}: ${p.ok} / ${p.bad}`}</title>
          {p.ok > 0 && (
            <rect x={i * w} y={half - (p.ok / top) * half} width={w - 1} height={(p.ok / top) * half} class="ok" />
          )}
          {p.bad > 0 && <rect x={i * w} y={half} width={w - 1} height={(p.bad / top) * half} class="bad" />}
        </g>
      ))}
      <line x1="0" x2={points.length * w} y1={half} y2={half} class="axis" />
    </svg>
  );
}
