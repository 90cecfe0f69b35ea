/**
 * The operations of the R3 routes: read, write and admin as everywhere, but every R3 request
 * needs credentials (spec 004: "All API requests require an API key"), so an anonymous caller
 * is refused 401 by the core's operation policy (core/policy/check-operation.ts).
 */
import { ADMIN, callerRequired, READ, WRITE } from "../../core/policy/operation.ts";

const MISSING_KEY = "Missing API key: send it in the x-api-key header";

export const R3_READ = callerRequired(READ, MISSING_KEY);
export const R3_WRITE = callerRequired(WRITE, MISSING_KEY);
export const R3_ADMIN = callerRequired(ADMIN, MISSING_KEY);
