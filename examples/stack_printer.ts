// The seed's debugging example: print the stack of every task with
// `allTasks()` and `task.printStack()`. JavaScript cannot inspect a
// suspended async function, so the loop records where each task awaits in
// debug mode (`run(main, { debug: true })`); without it the stacks are empty.
//
//   deno run examples/stack_printer.ts
import { allTasks, createTask, run, sleep } from "../mod.ts";

async function sleeper(delay: number): Promise<void> {
  await sleep(delay);
}

async function stackPrinter(): Promise<void> {
  await sleep(0); // let the sleeper start and suspend in sleep()
  for (const task of allTasks()) task.printStack();
}

await run(async () => {
  createTask(() => sleeper(1), { name: "sleeper" });
  await stackPrinter();
}, { debug: true });
