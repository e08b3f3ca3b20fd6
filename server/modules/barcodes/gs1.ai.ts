import { AI_DEFINITIONS } from "./gs1.ai-table";
import type { AiDefinition } from "./gs1.ai-types";

/**
 * The GS1 AI table and its look-ups: what the parsers and validators import. The table itself is
 * generated (gs1.ai-table.ts); its shape is in gs1.ai-types.ts.
 */

export { AI_DEFINITIONS };
export type { AiComponent, AiDefinition, CharacterSet, ContentRule } from "./gs1.ai-types";

const BY_AI = new Map(AI_DEFINITIONS.map((def) => [def.ai, def]));

/**
 * GS1 allocates AIs so that the first two digits fix the AI's length and no AI is a prefix of another;
 * the table itself is therefore the source of the "AI length by prefix" rule.
 */
const AI_LENGTH_BY_PREFIX = new Map(AI_DEFINITIONS.map((def) => [def.ai.slice(0, 2), def.ai.length]));

export function lookupAi(ai: string): AiDefinition | undefined {
  return BY_AI.get(ai);
}

/** Length of the AI that starts with these two digits, or undefined when GS1 has none there. */
export function aiLengthForPrefix(prefix: string): number | undefined {
  return AI_LENGTH_BY_PREFIX.get(prefix);
}

/** Matches an AI against an AI or a pattern such as "31nn" from `requires`/`excludes`. */
export function aiMatches(ai: string, pattern: string): boolean {
  if (ai.length !== pattern.length) return false;
  for (let i = 0; i < ai.length; i++) {
    if (pattern[i] !== "n" && pattern[i] !== ai[i]) return false;
  }
  return true;
}
