import { api } from "../../../lib/api";

/**
 * Saves a JSON document the gateway answers (the EPCIS export) as a file: fetched with the
 * session's token, which a plain link would not carry.
 */
export async function downloadJson(path: string, filename: string): Promise<void> {
  const document = await api.get<unknown>(path);
  const url = URL.createObjectURL(
    new Blob([JSON.stringify(document, null, 2)], { type: "application/ld+json" }),
  );
  const a = window.document.createElement("a");
  a.href = url;
  a.download = filename;
  a.click();
  URL.revokeObjectURL(url);
}
