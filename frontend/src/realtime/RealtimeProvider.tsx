// One socket per logged-in tab, shared by every page through context. Pages subscribe to events
// with useRealtimeEvent; they also poll, so a missing socket only makes them slower, never wrong.
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import type { Socket } from 'socket.io-client';
import type { RealtimeEventName, RealtimeEvents } from '../lib/realtime-events';
import { openRealtime } from './socket';

export type LiveState = 'connecting' | 'live' | 'offline';

interface RealtimeValue {
  socket: Socket | null;
  state: LiveState;
}

const Ctx = createContext<RealtimeValue>({ socket: null, state: 'offline' });

export function RealtimeProvider({ children }: { children: ReactNode }) {
  const [value, setValue] = useState<RealtimeValue>({ socket: null, state: 'connecting' });

  useEffect(() => {
    let closed = false;
    let socket: Socket | null = null;
    openRealtime()
      .then((s) => {
        if (closed) {
          s.close();
          return;
        }
        socket = s;
        setValue({ socket: s, state: s.connected ? 'live' : 'connecting' });
        s.on('connect', () => setValue({ socket: s, state: 'live' }));
        s.on('disconnect', () => setValue({ socket: s, state: 'connecting' }));
        s.on('connect_error', () => setValue({ socket: s, state: 'offline' }));
      })
      .catch(() => !closed && setValue({ socket: null, state: 'offline' }));
    return () => {
      closed = true;
      socket?.close();
    };
  }, []);

  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useRealtime(): RealtimeValue {
  return useContext(Ctx);
}

/**
 * Calls `handler` for each `event` whose payload concerns `connectionId` (or every one when null).
 * Event names and payload types come from lib/realtime-events.ts (checked against the OpenAPI document).
 */
export function useRealtimeEvent<E extends RealtimeEventName>(event: E, connectionId: string | null,
  handler: (payload: RealtimeEvents[E]) => void) {
  const { socket } = useRealtime();
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => {
    if (!socket) return;
    const fn = (p: RealtimeEvents[E]) => {
      if (connectionId === null || p?.connection_id === connectionId) ref.current(p);
    };
    socket.on(event as string, fn);
    return () => {
      socket.off(event as string, fn);
    };
  }, [socket, event, connectionId]);
}

/** Admins watching someone else's connection ask for its events (owners get theirs anyway). */
export function useConnectionSubscription(connectionId: string | null, enabled: boolean) {
  const { socket, state } = useRealtime();
  useEffect(() => {
    if (!socket || !connectionId || !enabled || state !== 'live') return;
    socket.emit('subscribe', { connection_id: connectionId });
    return () => {
      socket.emit('unsubscribe', { connection_id: connectionId });
    };
  }, [socket, connectionId, enabled, state]);
}
