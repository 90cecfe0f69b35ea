// A 403 from a collection route, said in words an account admin can act on.
import { ApiError } from "../../lib/api.ts";

export function forbiddenNote(err: unknown): unknown {
  if (err instanceof ApiError && err.status === 403) {
    return new ApiError(`${err.message}. Changing collection definitions needs superadmin rights; ask a superadmin.`, 403, err.code, err.details);
  }
  return err;
}
