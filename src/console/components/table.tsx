import type { Child } from "hono/jsx";

/**
 * A list as a table that scrolls sideways on a narrow screen, with column headers and a line when it is empty.
 * `keys` name the rows (`data-key`), so a live refresh patches each row in place instead of its neighbour; `live`
 * names the table as a live part of its page (`prepend`: a refresh's rows go on top, at most `max` kept).
 */
export function Table({
  head,
  rows,
  empty,
  keys,
  live,
}: {
  head: string[];
  rows: Child[][];
  empty: string;
  keys?: string[];
  live?: { name: string; prepend?: { max: number } };
}) {
  const table = (
    <>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              {head.map((h) => (
                <th scope="col">{h}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((cells, i) => (
              <tr data-key={keys?.[i]}>
                {cells.map((cell) => (
                  <td>{cell}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {rows.length === 0 && <p data-live-empty={live ? "" : undefined}>{empty}</p>}
    </>
  );
  if (!live) return table;
  return (
    <div
      data-live={live.name}
      data-live-prepend={live.prepend ? "" : undefined}
      data-live-max={live.prepend ? String(live.prepend.max) : undefined}
    >
      {table}
    </div>
  );
}
