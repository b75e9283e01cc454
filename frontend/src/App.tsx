// Routes of the dashboard (served under /dashboard/; the server answers index.html for them).
import { BrowserRouter, Navigate, Route, Routes } from 'react-router';
import { AuthProvider, useAuth } from './auth/AuthContext';
import Layout from './components/Layout';
import { Loading } from './components/ui';
import ApiKeysPage from './pages/ApiKeysPage';
import ChatsPage from './pages/ChatsPage';
import ConnectionsPage from './pages/ConnectionsPage';
import LoginPage from './pages/LoginPage';
import NodesPage from './pages/NodesPage';
import UsersPage from './pages/UsersPage';
import WebhooksPage from './pages/WebhooksPage';
import WhatsappWebPage from './pages/WhatsappWebPage';
import { RealtimeProvider } from './realtime/RealtimeProvider';

function Gate() {
  const { me, loading } = useAuth();
  if (loading) return <div className="p-6"><Loading what="Checking your session" /></div>;
  if (!me) return <LoginPage />;
  return (
    <RealtimeProvider key={me.user_id}>
      <Routes>
        <Route element={<Layout />}>
          <Route index element={<Navigate to="/connections" replace />} />
          <Route path="connections" element={<ConnectionsPage />} />
          <Route path="connections/:id" element={<WhatsappWebPage />} />
          <Route path="chats" element={<ChatsPage />} />
          <Route path="chats/:id" element={<ChatsPage />} />
          <Route path="webhooks" element={<WebhooksPage />} />
          <Route path="webhooks/:id" element={<WebhooksPage />} />
          <Route path="api-keys" element={<ApiKeysPage />} />
          <Route path="users" element={me.role === 'admin' ? <UsersPage /> : <Navigate to="/connections" replace />} />
          <Route path="nodes" element={me.role === 'admin' ? <NodesPage /> : <Navigate to="/connections" replace />} />
          <Route path="login" element={<Navigate to="/connections" replace />} />
          <Route path="*" element={<Navigate to="/connections" replace />} />
        </Route>
      </Routes>
    </RealtimeProvider>
  );
}

export default function App() {
  return (
    <BrowserRouter basename="/dashboard">
      <AuthProvider>
        <Gate />
      </AuthProvider>
    </BrowserRouter>
  );
}
