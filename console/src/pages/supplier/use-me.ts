import { useSession } from "../../lib/session";

/** The signed-in supplier's address (the supplier pages are shown to a signed-in supplier only). */
export function useMe(): string {
  const { session } = useSession();
  if (!session) throw new Error("supplier page without a session");
  return session.address;
}
