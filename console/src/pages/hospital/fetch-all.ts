import { api, withQuery } from "../../lib/api";

/**
 * Every item of a cursor-paged list, page after page: for a figure or a chart that needs the
 * whole list (a table pages with CursorTable instead).
 */
export async function fetchAll<T>(
  path: string,
  query: Record<string, string | number | undefined> = {},
): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.get<{ items: T[]; nextCursor: string | null }>(
      withQuery(path, { ...query, limit: 500, cursor }),
    );
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return items;
}
