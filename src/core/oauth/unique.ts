/** True for Prisma's unique-constraint violation (P2002), from either generated client. */
export function isUniqueViolation(e: unknown): boolean {
  return typeof e === "object" && e !== null && (e as { code?: unknown }).code === "P2002";
}
