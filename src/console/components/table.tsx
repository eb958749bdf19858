import type { Child } from "hono/jsx";
import { EmptyState, type NextStep } from "./empty-state";

/**
 * A list as a table in a named box that scrolls sideways by itself (by keyboard too) on a narrow screen, and
 * when it is empty, the empty state with what to do next. `keys` name the rows (`data-key`), so a live refresh
 * patches each row in place instead of its neighbour; `live` names the table as a live part of its page
 * (`prepend`: a refresh's rows go on top, at most `max` kept).
 */
export function Table({
  label,
  head,
  rows,
  empty,
  next,
  keys,
  live,
}: {
  label: string;
  head: string[];
  rows: Child[][];
  empty: string;
  next?: NextStep[];
  keys?: string[];
  live?: { name: string; prepend?: { max: number } };
}) {
  const table = (
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
      {rows.length === 0 && <EmptyState text={empty} next={next} />}
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
