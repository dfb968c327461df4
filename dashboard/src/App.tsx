/**
 * The shell: who is signed in (whoami), the navigation, and the page for the current route.
 * Signed out (no session, or keygraph answered 401 anywhere), every route shows sign-in, and the
 * page asked for opens once signed in.
 */
import { useCallback, useEffect, useState } from 'react';
import { ApiError, describeError, onSignedOut, request, signOut } from './api';
import { graphql } from './gql';
import type { WhoamiQuery } from './gql/graphql';
import { Link, navigate, useRoute } from './router';
import { Button, ErrorText } from './components/ui';
import { useAction } from './hooks';
import { SignIn } from './pages/SignIn';
import { KeysPage } from './pages/Keys';
import { KeyPage } from './pages/Key';
import { AccessPage } from './pages/Access';
import { CatalogPage } from './pages/Catalog';
import { AuditPage } from './pages/Audit';
import { PlaygroundPage } from './pages/Playground';

const Whoami = graphql(`
  query Whoami {
    whoami {
      arn
      accountId
      name
      type
    }
  }
`);

export type Caller = WhoamiQuery['whoami'];

type Auth = { state: 'checking' } | { state: 'signedOut'; problem?: string } | { state: 'signedIn'; caller: Caller };

const PAGES = [
  { route: '/keys', label: 'Keys' },
  { route: '/access', label: 'Access' },
  { route: '/catalog', label: 'Catalog' },
  { route: '/audit', label: 'Audit' },
  { route: '/playground', label: 'Playground' },
] as const;

export function App() {
  const [auth, setAuth] = useState<Auth>({ state: 'checking' });
  const { path } = useRoute();
  const leaving = useAction();

  const check = useCallback(async () => {
    try {
      const { whoami } = await request(Whoami);
      setAuth({ state: 'signedIn', caller: whoami });
    } catch (error) {
      // No session is the usual reason; anything else (keygraph unreachable, a 5xx) is said too.
      const unauthenticated = error instanceof ApiError && error.unauthenticated;
      setAuth({ state: 'signedOut', problem: unauthenticated ? undefined : describeError(error) });
    }
  }, []);

  useEffect(() => {
    void check();
    return onSignedOut(() => setAuth({ state: 'signedOut' }));
  }, [check]);

  useEffect(() => {
    if (path === '/') navigate('/keys', { replace: true });
  }, [path]);

  // keygraph serves the GraphQL IDE outside production only: link it when it is there.
  const [ide, setIde] = useState(false);
  useEffect(() => {
    fetch('/graphql', { headers: { accept: 'text/html' }, credentials: 'same-origin' }).then(
      (response) => setIde(response.ok && (response.headers.get('content-type') ?? '').startsWith('text/html')),
      () => setIde(false),
    );
  }, []);

  const title = PAGES.find((page) => path.startsWith(page.route))?.label;
  useEffect(() => {
    document.title = auth.state === 'signedIn' && title ? `${title} · keygraph` : 'keygraph';
  }, [auth.state, title]);

  const handleSignOut = async () => {
    const done = await leaving.run(
      'Signing out…',
      async () => {
        await signOut();
        return true;
      },
      'Signed out.',
    );
    if (done) {
      setAuth({ state: 'signedOut' });
      navigate('/keys');
    }
  };

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <span className="brand">keygraph</span>
        {auth.state === 'signedIn' && (
          <>
            <nav aria-label="Main">
              <ul>
                {PAGES.map((page) => (
                  <li key={page.route}>
                    <Link to={page.route} aria-current={path.startsWith(page.route) ? 'page' : undefined}>
                      {page.label}
                    </Link>
                  </li>
                ))}
                {ide && (
                  <li>
                    <a href="/graphql">GraphiQL</a>
                  </li>
                )}
              </ul>
            </nav>
            <div className="principal">
              <span>
                Signed in as <strong data-testid="principal">{auth.caller.arn}</strong>
              </span>
              <Button onClick={handleSignOut} busy={leaving.busy}>
                Sign out
              </Button>
            </div>
          </>
        )}
      </header>
      <main id="main" tabIndex={-1}>
        <ErrorText error={leaving.error} />
        {auth.state === 'checking' && (
          <p className="status" role="status">
            Checking the session…
          </p>
        )}
        {auth.state === 'signedOut' && (
          <>
            <ErrorText error={auth.problem} />
            <SignIn onSignedIn={check} />
          </>
        )}
        {auth.state === 'signedIn' && <Page path={path} caller={auth.caller} />}
      </main>
    </>
  );
}

function Page({ path, caller }: { path: string; caller: Caller }) {
  const keyMatch = /^\/keys\/([^/]+)\/?$/.exec(path);
  if (keyMatch) return <KeyPage key={keyMatch[1]} keyId={decodeURIComponent(keyMatch[1])} caller={caller} />;
  if (path === '/keys' || path === '/keys/' || path === '/') return <KeysPage />;
  if (path.startsWith('/access')) return <AccessPage caller={caller} />;
  if (path.startsWith('/catalog')) return <CatalogPage />;
  if (path.startsWith('/audit')) return <AuditPage />;
  if (path.startsWith('/playground')) return <PlaygroundPage />;
  return (
    <section aria-labelledby="not-found">
      <h1 id="not-found">Page not found</h1>
      <p>
        There is no page at this address. <Link to="/keys">Go to the keys</Link>.
      </p>
    </section>
  );
}
