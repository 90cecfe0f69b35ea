// A multipart upload with progress (fetch cannot report upload progress; XMLHttpRequest can), with
// the signed-in user's token and one retry after refreshing an expired token. Answers as `api` does.
import { ApiError } from "../../lib/api.ts";
import { session } from "../../lib/session.ts";

export interface UploadAnswer<T> {
  status: number;
  body: T;
}

function once<T>(path: string, form: FormData, onProgress: (sent: number, total: number) => void): Promise<UploadAnswer<T>> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", path);
    xhr.setRequestHeader("accept", "application/json");
    const token = session.value.accessToken;
    if (token) xhr.setRequestHeader("authorization", `Bearer ${token}`);
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : 0);
    xhr.onerror = () => reject(new ApiError("The server cannot be reached. Check that Cairn is running.", 0, "NETWORK"));
    xhr.onload = () => {
      let body: any = null;
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        // not JSON: the status says it
      }
      if (xhr.status >= 200 && xhr.status < 300) return resolve({ status: xhr.status, body });
      const message = (body && (body.message || body.detail || body.error)) || `${xhr.status} ${xhr.statusText || "request failed"}`;
      reject(new ApiError(String(message), xhr.status, String(body?.code ?? xhr.status), body?.details ?? null));
    };
    xhr.send(form);
  });
}

export async function upload<T = any>(path: string, form: FormData, onProgress: (sent: number, total: number) => void): Promise<UploadAnswer<T>> {
  try {
    return await once<T>(path, form, onProgress);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401 && session.value.refreshToken && (await session.refresh())) return once<T>(path, form, onProgress);
    throw err;
  }
}
