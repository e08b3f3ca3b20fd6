import { useQuery, useQueryClient } from "@tanstack/react-query";
import { getAddress, type Signer } from "ethers";
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import type { LoginRequest, NonceResponse, Session } from "../../../api/auth";
import type { ConsoleConfig } from "../../../api/console";
import { formatSiwe } from "../../../ledger/siwe";
import { api, setToken } from "./api";
import { browserWalletSigner, demoSigner } from "./signers";

/**
 * Who is signed in. Sign-in is the gateway's hardened SIWE flow: a nonce, a message naming the
 * gateway's own origin (from the nonce reply), the signer's signature, a token. The session
 * lives in this tab (sessionStorage) so a reload keeps it and closing the tab ends it. The
 * signer stays in memory only: after a reload, a demo account's signer is rebuilt from the
 * config; a browser wallet is asked again when an act needs it.
 */

interface Stored {
  session: Session;
  demoKey: string | null;
}

const STORAGE_KEY = "sunshine.session";

interface SessionContext {
  config: ConsoleConfig | undefined;
  configError: unknown;
  session: Session | null;
  /** The signer of the session, if this tab holds one. */
  signer: Signer | null;
  signIn: (signer: Signer, demoKey?: string) => Promise<Session>;
  /**
   * Signs in again with the session's signer (a browser wallet is asked), for roles the ledger
   * gave since: a token carries the roles read at sign-in. Signs out instead if that fails or the
   * wallet now holds another account, so the user signs in afresh rather than as someone else.
   */
  renew: () => Promise<void>;
  signOut: () => void;
}

const Context = createContext<SessionContext | null>(null);

function load(): Stored | null {
  const raw = sessionStorage.getItem(STORAGE_KEY);
  if (!raw) return null;
  const stored = JSON.parse(raw) as Stored;
  // An expired token is no session: the user signs in again.
  return Date.parse(stored.session.expiresAt) > Date.now() ? stored : null;
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const config = useQuery({
    queryKey: ["console-config"],
    queryFn: () => api.get<ConsoleConfig>("/v1/console/config"),
    staleTime: Infinity,
  });
  // The token is set before the first render, so the pages' first requests carry it.
  const [stored, setStored] = useState<Stored | null>(() => {
    const found = load();
    setToken(found?.session.token ?? null);
    return found;
  });
  const [signer, setSigner] = useState<Signer | null>(() =>
    stored?.demoKey ? demoSigner(stored.demoKey) : null,
  );

  const signOut = useCallback(() => {
    sessionStorage.removeItem(STORAGE_KEY);
    setToken(null);
    setStored(null);
    setSigner(null);
    queryClient.clear();
  }, [queryClient]);

  useEffect(() => {
    setToken(stored?.session.token ?? null, signOut);
  }, [stored, signOut]);

  const signIn = useCallback(
    async (next: Signer, demoKey?: string) => {
      const nonce = await api.post<NonceResponse>("/v1/auth/nonce", {});
      const message = formatSiwe({
        domain: nonce.domain,
        address: getAddress(await next.getAddress()),
        statement: "Sign in to the Sunshine Ledger gateway",
        uri: nonce.uri,
        chainId: nonce.chainId,
        nonce: nonce.nonce,
        issuedAt: new Date(),
      });
      const signature = await next.signMessage(message);
      const session = await api.post<Session>("/v1/auth/login", {
        message,
        signature,
      } satisfies LoginRequest);
      const value: Stored = { session, demoKey: demoKey ?? null };
      sessionStorage.setItem(STORAGE_KEY, JSON.stringify(value));
      setToken(session.token, signOut);
      queryClient.clear();
      setStored(value);
      setSigner(next);
      return session;
    },
    [queryClient, signOut],
  );

  const renew = useCallback(async () => {
    try {
      const next = signer ?? (await browserWalletSigner());
      if ((await next.getAddress()).toLowerCase() !== stored?.session.address.toLowerCase())
        throw new Error();
      await signIn(next, stored?.demoKey ?? undefined);
    } catch {
      signOut();
    }
  }, [signIn, signOut, signer, stored]);

  const value = useMemo<SessionContext>(
    () => ({
      config: config.data,
      configError: config.error,
      session: stored?.session ?? null,
      signer,
      signIn,
      renew,
      signOut,
    }),
    [config.data, config.error, stored, signer, signIn, renew, signOut],
  );
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useSession(): SessionContext {
  const context = useContext(Context);
  if (!context) throw new Error("useSession outside SessionProvider");
  return context;
}
