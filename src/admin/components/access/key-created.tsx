// The one moment an API key's secret is visible: right after it was created. Closing the dialog
// forgets it; the server keeps only its hash.
import { useRef, useState } from "preact/hooks";
import { Dialog } from "../../ui/dialog.tsx";

export function KeyCreated({ secret, name, onClose }: { secret: string | null; name: string; onClose: () => void }) {
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<string | null>(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(secret ?? "");
      setCopied("Copied to the clipboard.");
    } catch {
      input.current?.select();
      setCopied("The browser did not allow copying: the key is selected, press Ctrl+C (⌘C).");
    }
  }
  return (
    <Dialog title={`API key "${name}" created`} open={secret !== null} onClose={onClose}>
      <p class="key-warning">
        <strong>Copy this key now. You will not see it again:</strong> Cairn stores only a hash of it, and closing this dialog forgets it.
      </p>
      <div class="field">
        <label for="new-api-key">Secret key</label>
        <div class="key-row">
          <input id="new-api-key" ref={input} class="mono" readOnly value={secret ?? ""} onFocus={(e) => (e.target as HTMLInputElement).select()} />
          <button type="button" class="primary" onClick={copy}>
            Copy
          </button>
        </div>
        <div class="hint" role="status">
          {copied ?? "Send it as the X-API-Key header (or Authorization: Bearer …)."}
        </div>
      </div>
      <div class="dialog-actions">
        <button type="button" onClick={onClose}>
          I have stored it, close
        </button>
      </div>
    </Dialog>
  );
}
