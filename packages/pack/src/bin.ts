#!/usr/bin/env node
/** `charm-relations-pack` executable: runs the CLI on the real process streams. */
import { main } from "./cli.js";

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
});
