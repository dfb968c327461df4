/**
 * Sign-in: a principal's token, or an access key, traded once for a session cookie the page cannot
 * read; neither is kept anywhere by the page.
 */
import { useState, type FormEvent } from 'react';
import { signIn, type Credentials } from '../api';
import { Button, Status } from '../components/ui';
import { useAction } from '../hooks';

type Method = 'token' | 'accessKey';

export function SignIn({ onSignedIn }: { onSignedIn: () => Promise<void> }) {
  const [method, setMethod] = useState<Method>('token');
  const [token, setToken] = useState('');
  const [accessKeyId, setAccessKeyId] = useState('');
  const [secretAccessKey, setSecretAccessKey] = useState('');
  const action = useAction();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const credentials: Credentials =
      method === 'token' ? { token: token.trim() } : { accessKeyId: accessKeyId.trim(), secretAccessKey: secretAccessKey.trim() };
    const session = await action.run('Signing in…', () => signIn(credentials), 'Signed in.');
    if (session) {
      setToken('');
      setSecretAccessKey('');
      await onSignedIn();
    }
  };

  return (
    <section className="sign-in" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">Sign in to keygraph</h1>
      <p>
        keygraph answers with a session cookie this page cannot read; what you type here is not stored. The account
        root's token is in <code>$KEYGRAPH_HOME/admin-token</code> after <code>make run</code>.
      </p>
      <form onSubmit={submit} className="form">
        <fieldset className="choice">
          <legend>Sign in with</legend>
          <label>
            <input type="radio" name="method" checked={method === 'token'} onChange={() => setMethod('token')} />
            Principal bearer
          </label>
          <label>
            <input type="radio" name="method" checked={method === 'accessKey'} onChange={() => setMethod('accessKey')} />
            AWS access key pair
          </label>
        </fieldset>
        {method === 'token' ? (
          <>
            <label htmlFor="token">Token</label>
            <input
              id="token"
              name="token"
              type="password"
              autoComplete="off"
              spellCheck={false}
              required
              value={token}
              onChange={(event) => setToken(event.target.value)}
            />
          </>
        ) : (
          <>
            <label htmlFor="access-key-id">Access key ID</label>
            <input
              id="access-key-id"
              autoComplete="username"
              spellCheck={false}
              required
              value={accessKeyId}
              onChange={(event) => setAccessKeyId(event.target.value)}
            />
            <label htmlFor="secret-access-key">Secret access key</label>
            <input
              id="secret-access-key"
              type="password"
              autoComplete="off"
              spellCheck={false}
              required
              value={secretAccessKey}
              onChange={(event) => setSecretAccessKey(event.target.value)}
            />
          </>
        )}
        <div className="actions">
          <Button type="submit" variant="primary" busy={action.busy}>
            Sign in
          </Button>
        </div>
        <Status action={action} />
      </form>
    </section>
  );
}
