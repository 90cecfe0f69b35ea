// The file API's shapes (README "Files") and the types the server can make thumbnails of.
export interface StoredFile {
  id: string;
  name: string;
  original_filename: string;
  type: string;
  mime_type: string;
  size: number;
  collection_name: string | null;
  record_id: string | null;
  field_name: string | null;
  user_id: string | null;
  created: string;
  url: string;
}

const THUMBNAILABLE = new Set(["image/png", "image/jpeg", "image/gif", "image/webp", "image/avif"]);

export function hasThumbnail(f: StoredFile): boolean {
  return THUMBNAILABLE.has(f.type);
}
