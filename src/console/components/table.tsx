import type { Child } from "hono/jsx";

/**
 * A list as a table that scrolls sideways on a narrow screen, with column headers and a line when it is empty.
 * `keys` name the rows (`data-key`), so a live refresh patches each row in place instead of its neighbour.
 */
export function Table({
  head,
  rows,
  empty,
  keys,
}: {
  head: string[];
  rows: Child[][];
  empty: string;
  keys?: string[];
}) {
  return (
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
      {rows.length === 0 && <p>{empty}</p>}
    </>
  );
}
