/**
 * A start-up failure the operator can fix: its message is one line naming the cause and the
 * fix (`port 8000 is in use on 127.0.0.1; set PORT to a free port …`). The command line prints
 * it as is, without a stack.
 */
export class StartupError extends Error {
  override name = "StartupError";
}
