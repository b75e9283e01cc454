// The frame of every logged-in page: a sidebar like the seed's ("WhatsApp Web" with a QR icon
// first), collapsible on phones, and the live-connection indicator.
import { useState, type ReactNode } from 'react';
import { NavLink, Outlet } from 'react-router';
import { useAuth } from '../auth/AuthContext';
import { useRealtime } from '../realtime/RealtimeProvider';
import { ChatIcon, HookIcon, KeyIcon, MenuIcon, NodesIcon, QrIcon, UsersIcon } from './Icons';

function Item({ to, icon, children }: { to: string; icon: ReactNode; children: ReactNode }) {
  return (
    <NavLink
      to={to}
      className={({ isActive }) =>
        `flex items-center gap-3 rounded-lg px-3 py-2 text-sm font-medium ${isActive ? 'bg-emerald-600 text-white' : 'text-slate-200 hover:bg-slate-800'}`}
    >
      {icon}
      {children}
    </NavLink>
  );
}

export default function Layout() {
  const { me, info, logout } = useAuth();
  const { state } = useRealtime();
  const [open, setOpen] = useState(false);
  const live = { live: 'Live', connecting: 'Connecting…', offline: 'Offline (polling)' }[state];

  return (
    <div className="min-h-screen md:flex">
      <header className="flex items-center justify-between bg-slate-900 px-4 py-3 text-white md:hidden">
        <span className="font-semibold">WA Gateway</span>
        <button type="button" className="rounded p-1 hover:bg-slate-800" aria-expanded={open} aria-controls="sidebar" aria-label="Menu" onClick={() => setOpen(!open)}>
          <MenuIcon />
        </button>
      </header>
      <aside id="sidebar" className={`${open ? 'block' : 'hidden'} bg-slate-900 p-4 text-white md:block md:min-h-screen md:w-60 md:shrink-0`}>
        <div className="mb-6 hidden text-lg font-semibold md:block">WA Gateway</div>
        <nav aria-label="Main" className="space-y-1" onClick={() => setOpen(false)}>
          <Item to="/connections" icon={<QrIcon />}>WhatsApp Web</Item>
          <Item to="/chats" icon={<ChatIcon />}>Chats</Item>
          <Item to="/webhooks" icon={<HookIcon />}>Webhooks</Item>
          <Item to="/api-keys" icon={<KeyIcon />}>API keys</Item>
          {me?.role === 'admin' && <Item to="/users" icon={<UsersIcon />}>Users</Item>}
          {me?.role === 'admin' && <Item to="/nodes" icon={<NodesIcon />}>Nodes</Item>}
        </nav>
        <div className="mt-8 space-y-2 border-t border-slate-700 pt-4 text-xs text-slate-400">
          <div className="truncate" title={me?.email}>{me?.email} ({me?.role})</div>
          {info?.engine_mode === 'sandbox' && <div className="inline-block rounded bg-amber-500 px-2 py-0.5 font-semibold text-slate-900">Sandbox</div>}
          <div data-testid="live-state" data-state={state}>{live}</div>
          <button type="button" className="rounded border border-slate-600 px-2 py-1 text-slate-200 hover:bg-slate-800" onClick={() => void logout()}>
            Log out
          </button>
        </div>
      </aside>
      <main className="min-w-0 flex-1 p-4 sm:p-6">
        <Outlet />
      </main>
    </div>
  );
}
