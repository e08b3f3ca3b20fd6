/** Text of the warehouse pages, English and Chinese (zh must give every key of en). */
export const en = {} as const;

export const zh: Record<keyof typeof en, string> = {};
