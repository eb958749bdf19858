/** A horizontal bar chart as server-rendered SVG, with the numbers as text (readable without script). */
export function BarChart({ title, bars }: { title: string; bars: { label: string; value: number }[] }) {
  const top = Math.max(1, ...bars.map((b) => b.value));
  const row = 22;
  return (
    <svg class="chart" role="img" aria-label={title} viewBox={`0 0 320 ${Math.max(row, bars.length * row)}`}>
      <title>{title}</title>
      {bars.map((b, i) => (
        <g transform={`translate(0 ${i * row})`}>
          <text x="0" y="15" font-size="11">
            {b.label.slice(0, 18)}
          </text>
          <rect x="120" y="4" height="14" width={Math.max(1, (b.value / top) * 160)} class="bar" />
          <text x={128 + (b.value / top) * 160} y="15" font-size="11">
            {b.value}
          </text>
        </g>
      ))}
    </svg>
  );
}
