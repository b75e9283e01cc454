// A select of the caller's connections; choosing one navigates to `${base}/<id>`.
import { useNavigate } from 'react-router';
import { useApi } from '../hooks/useApi';
import { ErrorBox, inputClass } from './ui';

export default function ConnectionPicker({ base, current }: { base: string; current: string | undefined }) {
  const nav = useNavigate();
  const list = useApi('/api/connections', {});
  if (list.error) return <ErrorBox error={list.error} onRetry={() => void list.reload()} />;
  return (
    <label className="flex items-center gap-2 text-sm">
      <span className="font-medium text-slate-700">Connection</span>
      <select className={`${inputClass} w-auto`} name="connection" value={current ?? ''} onChange={(e) => nav(`${base}/${encodeURIComponent(e.target.value)}`)}>
        <option value="" disabled>{list.loading ? 'Loading…' : list.data?.length ? 'Choose a connection' : 'No connections yet'}</option>
        {list.data?.map((c) => (
          <option key={c.connection_id} value={c.connection_id}>{c.connection_id}{c.phone ? ` (+${c.phone})` : ''} — {c.status}</option>
        ))}
      </select>
    </label>
  );
}
