// A delivery's state as a word with a colour (the word carries the meaning, the colour only helps).
export function StatusBadge({ status }: { status: string }) {
  return <span class={`ops-badge ops-badge-${status}`}>{status}</span>;
}

export function ActiveBadge({ active }: { active: boolean }) {
  return <span class={`ops-badge ${active ? "ops-badge-delivered" : "ops-badge-off"}`}>{active ? "active" : "paused"}</span>;
}
