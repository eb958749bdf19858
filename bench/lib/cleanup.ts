/** Work to do however the bench ends: normal exit, error, Ctrl-C. Runs each task once, last registered first. */
const tasks: { run: () => Promise<void> | void; sync?: () => void }[] = [];
let installed = false;

function install() {
  if (installed) return;
  installed = true;
  // Last resort when the process exits without running the async tasks (e.g. process.exit elsewhere).
  process.on("exit", () => {
    for (const task of tasks.splice(0).reverse()) task.sync?.();
  });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping…`);
      runCleanup().finally(() => process.exit(130));
    });
  }
}

/** Registers `run` (async, on a normal end) and `sync` (on a hard exit). Returns a function that unregisters it. */
export function onCleanup(run: () => Promise<void> | void, sync?: () => void): () => void {
  install();
  const task = { run, sync };
  tasks.push(task);
  return () => {
    const i = tasks.indexOf(task);
    if (i >= 0) tasks.splice(i, 1);
  };
}

/** Runs every registered task, newest first; errors are printed, not thrown. */
export async function runCleanup(): Promise<void> {
  for (const task of tasks.splice(0).reverse()) {
    try {
      await task.run();
    } catch (err) {
      console.error(`cleanup: ${(err as Error).message}`);
    }
  }
}
