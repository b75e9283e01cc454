// Admins only: the gateway nodes sharing this PostgreSQL and which node runs which connection
// (issue 17, GET /api/cluster). Refreshed every 5 s: heartbeats and lease ages move on their own.
import type { ClusterNode, Lease } from '../api/types';
import { Card, Empty, ErrorBox, Loading, PageTitle } from '../components/ui';
import { useApi } from '../hooks/useApi';
import { formatDateTime } from '../lib/format';

const seconds = (s: number) => (s < 90 ? `${s.toFixed(1)} s` : `${Math.round(s / 60)} min`);

export default function NodesPage() {
  const cluster = useApi('/api/cluster', {}, { everyMs: 5000 });
  const data = cluster.data;
  return (
    <div className="space-y-4">
      <PageTitle>Nodes</PageTitle>
      {cluster.loading && !data && <Loading what="Loading nodes" />}
      {cluster.error && <ErrorBox error={cluster.error} onRetry={() => void cluster.reload()} />}
      {data && (
        <>
          <p className="text-sm text-slate-600">
            Answered by <span className="font-medium" data-testid="answering-node">{data.node_id}</span>; a lease lasts{' '}
            {seconds(data.lease_ttl_ms / 1000)} without renewal.
          </p>
          <Card title="Nodes">
            {data.nodes.length === 0 ? <Empty>No node has written a heartbeat yet.</Empty> : (
              <div className="overflow-x-auto">
                <table className="w-full text-left text-sm" aria-label="Nodes">
                  <thead className="text-xs uppercase text-slate-500">
                    <tr><th className="py-2 pr-3">Node</th><th className="pr-3">State</th><th className="pr-3">Connections</th><th className="pr-3">Capacity</th><th className="pr-3">Heartbeat</th><th className="pr-3">Started</th></tr>
                  </thead>
                  <tbody className="divide-y divide-slate-100">
                    {data.nodes.map((n: ClusterNode) => (
                      <tr key={n.node_id} data-node={n.node_id}>
                        <td className="py-2 pr-3 font-medium break-all">{n.node_id}{n.this_node && <span className="ml-2 rounded bg-slate-100 px-1.5 text-xs text-slate-600">this one</span>}</td>
                        <td className="pr-3">{n.alive ? <span className="text-emerald-700">Alive</span> : <span className="text-slate-500">{n.stopped_at ? 'Stopped' : 'Silent'}</span>}</td>
                        <td className="pr-3">{n.connections}</td>
                        <td className="pr-3">{n.capacity}</td>
                        <td className="pr-3">{seconds(n.heartbeat_age_seconds)} ago</td>
                        <td className="pr-3">{formatDateTime(n.started_at)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </Card>
          <Card title="Connections by node">
            {data.leases.length === 0 ? <Empty>No connection is wanted running.</Empty> : (
              <div className="overflow-x-auto">
                <table className="w-full text-left text-sm" aria-label="Leases">
                  <thead className="text-xs uppercase text-slate-500">
                    <tr><th className="py-2 pr-3">Connection</th><th className="pr-3">Node</th><th className="pr-3">Epoch</th><th className="pr-3">Held for</th></tr>
                  </thead>
                  <tbody className="divide-y divide-slate-100">
                    {data.leases.map((l: Lease) => (
                      <tr key={l.connection_id} data-lease={l.connection_id}>
                        <td className="py-2 pr-3 font-medium break-all">{l.connection_id}</td>
                        <td className="pr-3">{l.live && l.owner_node ? l.owner_node : <span className="text-slate-500">none</span>}</td>
                        <td className="pr-3">{l.epoch}</td>
                        <td className="pr-3">{l.live ? seconds(l.age_seconds) : '—'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </Card>
        </>
      )}
    </div>
  );
}
