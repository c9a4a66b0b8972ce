/** Every failure the packer reports on purpose: a message for the user, exit code 1 in the CLI. */
export class PackError extends Error {
  override readonly name = "PackError";
}
