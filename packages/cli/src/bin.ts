#!/usr/bin/env node
/**
 * `charm-relations` executable: runs the CLI on the real process streams and exits with its code.
 */
import { main } from "./main.js";

const code = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
});
// Let pending writes to a pipe drain instead of cutting them with process.exit().
process.exitCode = code;
