// Who is logged in. The session lives in an HttpOnly cookie; the app only keeps the answer of
// GET /api/auth/me in memory. A 401 anywhere sends the user back to the login page.
import { createContext, useCallback, useContext, useEffect, type ReactNode } from 'react';
import { setUnauthorizedHandler } from '../api/client';
import { apiGet, apiPost } from '../api/typed';
import type { Info, Me } from '../api/types';
import { useApi } from '../hooks/useApi';

interface AuthValue {
  me: Me | null;
  info: Info | null;
  loading: boolean;
  login: (email: string, password: string) => Promise<void>;
  logout: () => Promise<void>;
}

const Ctx = createContext<AuthValue | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  // 401 = nobody is logged in (the login page shows); the gateway's info is loaded per login
  const session = useApi('/api/auth/me', {});
  const me = session.data;
  const infoLoad = useApi(me ? '/api/info' : null, {}, { key: me?.user_id ?? null });
  const info = infoLoad.data;
  const loading = session.loading;
  const setMe = session.setData;

  useEffect(() => {
    setUnauthorizedHandler(() => setMe(() => null));
  }, [setMe]);

  const login = useCallback(async (email: string, password: string) => {
    const m = await apiPost('/api/auth/login', { body: { email, password } });
    await apiGet('/api/auth/csrf');
    setMe(() => m);
  }, [setMe]);

  const logout = useCallback(async () => {
    try {
      await apiPost('/api/auth/logout');
    } finally {
      setMe(() => null);
    }
  }, [setMe]);

  return <Ctx.Provider value={{ me, info, loading, login, logout }}>{children}</Ctx.Provider>;
}

export function useAuth(): AuthValue {
  const v = useContext(Ctx);
  if (!v) throw new Error('useAuth outside AuthProvider');
  return v;
}
