// Admins only: list users, create one, disable or enable an account.
import { useState, type FormEvent } from 'react';
import { errorText } from '../api/client';
import { apiPost } from '../api/typed';
import type { User } from '../api/types';
import { useAuth } from '../auth/AuthContext';
import { Button, Card, Empty, ErrorBox, Field, inputClass, Loading, PageTitle } from '../components/ui';
import { useApi } from '../hooks/useApi';
import { formatDateTime } from '../lib/format';

export default function UsersPage() {
  const { me } = useAuth();
  const users = useApi('/api/users', {});
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<'user' | 'admin'>('user');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function create(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await apiPost('/api/users', { body: { email: email.trim(), password, role } });
      setEmail('');
      setPassword('');
      await users.reload();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  async function toggle(u: User) {
    setError(null);
    try {
      await apiPost(u.disabled ? '/api/users/{id}/enable' : '/api/users/{id}/disable', { path: { id: u.id } });
      await users.reload();
    } catch (err) {
      setError(errorText(err));
    }
  }

  return (
    <div className="space-y-4">
      <PageTitle>Users</PageTitle>
      <Card title="New user">
        <form onSubmit={create} className="grid gap-3 sm:grid-cols-[1fr_1fr_auto_auto] sm:items-end" aria-label="New user">
          <Field label="Email"><input className={inputClass} type="email" name="user_email" value={email} onChange={(e) => setEmail(e.target.value)} required /></Field>
          <Field label="Password"><input className={inputClass} type="password" name="user_password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} required minLength={8} /></Field>
          <Field label="Role">
            <select className={inputClass} name="user_role" value={role} onChange={(e) => setRole(e.target.value as 'user' | 'admin')}>
              <option value="user">user</option>
              <option value="admin">admin</option>
            </select>
          </Field>
          <Button type="submit" variant="primary" disabled={busy}>{busy ? 'Creating…' : 'Create'}</Button>
        </form>
      </Card>
      {error && <ErrorBox error={error} />}
      <Card title="All users">
        {users.loading && !users.data && <Loading what="Loading users" />}
        {users.error && <ErrorBox error={users.error} onRetry={() => void users.reload()} />}
        {users.data && users.data.length === 0 && <Empty>No users.</Empty>}
        {users.data && users.data.length > 0 && (
          <div className="overflow-x-auto">
            <table className="w-full text-left text-sm">
              <thead className="text-xs uppercase text-slate-500">
                <tr><th className="py-2 pr-3">Email</th><th className="pr-3">Role</th><th className="pr-3">Created</th><th className="pr-3">Last login</th><th className="pr-3">State</th><th><span className="sr-only">Actions</span></th></tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {users.data.map((u) => (
                  <tr key={u.id}>
                    <td className="py-2 pr-3 font-medium break-all">{u.email}</td>
                    <td className="pr-3">{u.role}</td>
                    <td className="pr-3">{formatDateTime(u.created_at)}</td>
                    <td className="pr-3">{formatDateTime(u.last_login_at)}</td>
                    <td className="pr-3">{u.disabled ? 'Disabled' : 'Active'}</td>
                    <td className="text-right">
                      {u.id !== me?.user_id && (
                        <Button variant={u.disabled ? 'secondary' : 'danger'} onClick={() => void toggle(u)}>{u.disabled ? 'Enable' : 'Disable'}</Button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </div>
  );
}
