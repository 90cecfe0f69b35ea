/**
 * Fallback launcher used by bench/run.ts when src/cli.ts is absent: configuration from the
 * environment (src/config.ts), createApp, listen, close on SIGTERM/SIGINT.
 */
import { createApp } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";

const app = await createApp(loadConfig());
const url = await app.listen();
console.log(JSON.stringify({ level: 30, msg: `listening on ${url}` }));
const stop = () => {
  app.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
