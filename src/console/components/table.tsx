import type { Child } from "hono/jsx";

/** A list as a table that scrolls sideways on a narrow screen, with column headers and a line when it is empty. */
export function Table({ head, rows, empty }: { head: string[]; rows: Child[][]; empty: string }) {
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
            {rows.map((cells) => (
              <tr>
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
