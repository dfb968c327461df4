/**
 * The GraphQL IDE keygraph serves on GET /graphql outside production: GraphiQL from the installed
 * package (no CDN), calling /graphql with the browser session's cookie and the CSRF header, and
 * subscriptions over graphql-transport-ws. It stores no token: there is none to paste; the
 * headers editor is not persisted, and the editor's tabs live in memory only.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { buildSchema } from 'graphql';
import sdl from '../../schema/schema.graphql?raw';
import 'graphiql/graphiql.css';
import './graphiql-page.css';
import { subscriptionUrl } from './api';

const fetcher = createGraphiQLFetcher({
  url: '/graphql',
  subscriptionUrl: subscriptionUrl(),
  headers: { 'X-Keygraph-CSRF': '1' },
  fetch: (input, init) => fetch(input, { ...init, credentials: 'same-origin' }),
});

/**
 * The schema from the SDL the build was typed against, so GraphiQL sends no introspection query:
 * that query nests deeper than the depth keygraph allows a document, and the committed SDL is the
 * schema this build of the UI was made for anyway.
 */
const schema = buildSchema(sdl);

/** A Storage that forgets everything when the page closes (GraphiQL would otherwise use localStorage). */
class MemoryStorage implements Storage {
  private readonly items = new Map<string, string>();
  get length(): number {
    return this.items.size;
  }
  clear(): void {
    this.items.clear();
  }
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  key(index: number): string | null {
    return [...this.items.keys()][index] ?? null;
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
}

const DEFAULT_QUERY = `# keygraph's GraphQL API, as the principal signed in at /ui/ (the session cookie).
query {
  whoami {
    arn
  }
}
`;

createRoot(document.getElementById('graphiql')!).render(
  <StrictMode>
    <GraphiQL fetcher={fetcher} schema={schema} storage={new MemoryStorage()} shouldPersistHeaders={false} defaultQuery={DEFAULT_QUERY}>
      <GraphiQL.Logo>
        <a href="/ui/" className="graphiql-home">
          keygraph
        </a>{' '}
        GraphiQL
      </GraphiQL.Logo>
    </GraphiQL>
  </StrictMode>,
);
