// Paging by cursor: first page, the page before and the page after the one shown, and the page
// size. There are no page numbers: a cursor continues through the index however deep it is.
export interface PagerProps {
  perPage: number;
  hasPrev: boolean;
  hasNext: boolean;
  atStart: boolean;
  onFirst: () => void;
  onPrev: () => void;
  onNext: () => void;
  onPerPage: (n: number) => void;
}

const SIZES = [25, 50, 100];

export function Pager({ perPage, hasPrev, hasNext, atStart, onFirst, onPrev, onNext, onPerPage }: PagerProps) {
  const sizes = SIZES.includes(perPage) ? SIZES : [...SIZES, perPage].sort((a, b) => a - b);
  return (
    <nav class="pager" aria-label="Pages">
      <button type="button" onClick={onFirst} disabled={atStart}>
        First page
      </button>
      <button type="button" onClick={onPrev} disabled={!hasPrev}>
        ← Previous
      </button>
      <button type="button" onClick={onNext} disabled={!hasNext}>
        Next →
      </button>
      <label class="per-page">
        Per page
        <select value={String(perPage)} onChange={(e) => onPerPage(Number((e.currentTarget as HTMLSelectElement).value))}>
          {sizes.map((n) => (
            <option key={n} value={String(n)}>
              {n}
            </option>
          ))}
        </select>
      </label>
    </nav>
  );
}
