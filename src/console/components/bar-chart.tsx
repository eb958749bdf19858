type Bar = { label: string; value: number };

/** A horizontal bar chart as server-rendered SVG, with the numbers as text (readable without script). */
export function BarChart({ title, bars }: { title: string; bars: Bar[] }) {
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

/**
 * A time series as columns in server-rendered SVG: every column has its label and count as a `<title>` tooltip,
 * every `every`-th column its label under the axis, and the peak its number.
 */
export function ColumnChart({ title, columns, every = 3 }: { title: string; columns: Bar[]; every?: number }) {
  const top = Math.max(1, ...columns.map((b) => b.value));
  const width = 320;
  const plot = 100;
  const step = width / Math.max(1, columns.length);
  return (
    <svg class="chart" role="img" aria-label={title} viewBox={`0 0 ${width} ${plot + 30}`}>
      <title>{title}</title>
      <text x="0" y="10" font-size="10">
        {top}
      </text>
      {columns.map((b, i) => {
        const h = (b.value / top) * (plot - 14);
        return (
          <g>
            <rect x={i * step + 1} y={plot - h} width={Math.max(1, step - 2)} height={Math.max(0.5, h)} class="bar">
              <title>{`${b.label}: ${b.value}`}</title>
            </rect>
            {i % every === 0 && (
              <text x={i * step} y={plot + 14} font-size="9">
                {b.label}
              </text>
            )}
          </g>
        );
      })}
    </svg>
  );
}
