// Placeholder until this page is built.
import { Page } from "../ui/page.tsx";

export default function Placeholder() {
  return <Page title="Webhook">This page is not built yet.</Page>;
}
