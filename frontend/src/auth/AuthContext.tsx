// Who is logged in. The session lives in an HttpOnly cookie; the app only keeps the answer of
// GET /api/auth/me in memory. A 401 anywhere sends the user back to the login page.
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { ApiError, get, post, setUnauthorizedHandler } from '../api/client';
import type { Info, Me } from '../api/types';

interface AuthValue {
  me: Me | null;
  info: Info | null;
  loading: boolean;
  login: (email: string, password: string) => Promise<void>;
  logout: () => Promise<void>;
}

const Ctx = createContext<AuthValue | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null>(null);
  const [info, setInfo] = useState<Info | null>(null);
  const [loading, setLoading] = useState(true);

  const loadInfo = useCallback(() => {
    get<Info>('/api/info').then(setInfo).catch(() => setInfo(null));
  }, []);

  useEffect(() => {
    setUnauthorizedHandler(() => setMe(null));
    get<Me>('/api/auth/me')
      .then((m) => {
        setMe(m);
        loadInfo();
      })
      .catch((e) => {
        if (!(e instanceof ApiError && e.status === 401)) console.warn('me failed', e);
        setMe(null);
      })
      .finally(() => setLoading(false));
  }, [loadInfo]);

  const login = useCallback(async (email: string, password: string) => {
    const m = await post<Me>('/api/auth/login', { email, password });
    await get('/api/auth/csrf');
    setMe(m);
    loadInfo();
  }, [loadInfo]);

  const logout = useCallback(async () => {
    try {
      await post('/api/auth/logout');
    } finally {
      setMe(null);
      setInfo(null);
    }
  }, []);

  return <Ctx.Provider value={{ me, info, loading, login, logout }}>{children}</Ctx.Provider>;
}

export function useAuth(): AuthValue {
  const v = useContext(Ctx);
  if (!v) throw new Error('useAuth outside AuthProvider');
  return v;
}
