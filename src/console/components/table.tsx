import type { Child } from "hono/jsx";
import { EmptyState, type NextStep } from "./empty-state";

/**
 * A list as a table in a named box that scrolls sideways by itself (by keyboard too) on a narrow screen, and
 * when it is empty, the empty state with what to do next.
 */
export function Table({
  label,
  head,
  rows,
  empty,
  next,
}: {
  label: string;
  head: string[];
  rows: Child[][];
  empty: string;
  next?: NextStep[];
}) {
  return (
    <>
      {/* biome-ignore lint/a11y/useSemanticElements: a box that scrolls a table, named for keyboard users; no form */}
      <div class="table-wrap" role="group" aria-label={label} tabindex={0}>
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
      {rows.length === 0 && <EmptyState text={empty} next={next} />}
    </>
  );
}
