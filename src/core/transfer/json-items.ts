/**
 * The items of a JSON import file, streamed: the file is read in chunks through a streaming JSON
 * parser (`@streamparser/json`, loaded on first use) that hands over each item of the top-level
 * array — or of the `items` array of a top-level object (a FastCMS list answer) — as soon as it is
 * complete, and keeps nothing else: memory stays flat whatever the file's size.
 */
import { createReadStream } from "node:fs";
import { BadRequestError } from "../errors.ts";

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const NOT_RECORDS = "The JSON file must hold an array of records (or an object with an `items` array)";

/**
 * Yields the items one by one. 400 when the file is not valid JSON (naming the item it broke
 * in) or not an array / an object with an `items` array.
 */
export async function* jsonItems(path: string): AsyncGenerator<unknown> {
  const { JSONParser } = await import("@streamparser/json");
  let parser: InstanceType<typeof JSONParser> | undefined;
  let sawItems = false;
  let ready: unknown[] = [];
  let count = 0;
  const start = (first: number) => {
    if (first !== 0x5b && first !== 0x7b) throw new BadRequestError(NOT_RECORDS);
    const root = first === 0x5b ? "array" : "object";
    // `$.items` is only watched to learn that the object had an `items` array
    parser = new JSONParser({ paths: root === "array" ? ["$.*"] : ["$.items.*", "$.items"], keepStack: false });
    if (root === "array") sawItems = true;
    parser.onValue = ({ value, key }) => {
      if (typeof key === "number") ready.push(value);
      else if (key === "items") sawItems ||= Array.isArray(value);
    };
  };
  const take = () => {
    const out = ready;
    ready = [];
    return out;
  };
  try {
    let head = true;
    for await (const raw of createReadStream(path)) {
      let chunk = raw as Buffer;
      if (head) {
        if (chunk.subarray(0, 3).equals(BOM)) chunk = chunk.subarray(3);
        const at = chunk.findIndex((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09);
        if (at < 0) continue;
        start(chunk[at]!);
        head = false;
      }
      parser!.write(chunk);
      for (const item of take()) {
        count++;
        yield item;
      }
    }
    if (!parser) throw new BadRequestError("The JSON file is not valid JSON");
    // the parser ends by itself once the top-level value is complete; else the file stopped short
    if (!parser.isEnded) parser.end();
    for (const item of take()) {
      count++;
      yield item;
    }
  } catch (e) {
    if (e instanceof BadRequestError) throw e;
    // items parsed but not yet handed over count too: the break is in the one after them
    const complete = count + ready.length;
    throw new BadRequestError(complete === 0 ? "The JSON file is not valid JSON" : `The JSON file is not valid JSON (near item ${complete + 1})`);
  }
  if (!sawItems) throw new BadRequestError(NOT_RECORDS);
}
