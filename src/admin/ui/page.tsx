// A page: its heading (focused when another page opens, so keyboard and screen reader users
// start there; the first page of a visit leaves focus at the top, on "Skip to content"), the
// actions beside it, and the content.
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";

let firstPage = true;

export function Page({ title, actions, children, breadcrumb }: { title: string; actions?: ComponentChildren; children?: ComponentChildren; breadcrumb?: ComponentChildren }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Cairn admin`;
    if (firstPage) firstPage = false;
    else heading.current?.focus({ preventScroll: true });
  }, [title]);
  return (
    <section class="page">
      <header class="page-header">
        <div>
          {breadcrumb && (
            <nav aria-label="Breadcrumb" class="breadcrumb">
              {breadcrumb}
            </nav>
          )}
          <h1 ref={heading} tabIndex={-1}>
            {title}
          </h1>
        </div>
        {actions && <div class="page-actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}
