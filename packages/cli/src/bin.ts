#!/usr/bin/env node
/**
 * `charm-relations` executable: runs the CLI on the real process streams and exits with its code.
 */
import { main } from "./main.js";

// `charm-relations demo | head`: the reader went away. Stop writing, but finish with the real exit code.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE" && error.code !== "ERR_STREAM_DESTROYED") throw error;
  });
}

const code = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
});
// Let pending writes to a pipe drain instead of cutting them with process.exit().
process.exitCode = code;
