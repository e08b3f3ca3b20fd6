/** The console's languages: Chinese (zh-CN) and English. */
export type Lang = "zh" | "en";
