// Whether the grid follows changes as they happen: "Live", "Connecting…" or "Offline" with the
// reason on hover and for screen readers; the last change someone else made is announced politely.
import type { LiveStatus } from "./use-live.ts";

export function LiveBadge({ status, said }: { status: LiveStatus; said: string }) {
  const text = status.state === "live" ? "Live" : status.state === "connecting" ? "Connecting…" : "Offline";
  const why =
    status.state === "live" ? "Changes made by others appear here without reloading" : status.state === "connecting" ? "Connecting to live updates" : `Live updates are off: ${status.reason}`;
  return (
    <span class="live-wrap">
      <span class={`live-badge live-${status.state}`} title={why}>
        <span class="live-dot" aria-hidden="true" />
        {text}
        {status.state === "offline" && <span class="visually-hidden">: {status.reason}</span>}
      </span>
      <span class="visually-hidden" role="status">
        {said}
      </span>
    </span>
  );
}
