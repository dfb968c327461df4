-- Principals (who calls keygraph) and their bearer tokens. Only a hash of each token's secret is
-- stored; the token id is public and lets the server find the row without comparing secrets.
CREATE TABLE principals (
    id          bigserial PRIMARY KEY,
    account_id  text        NOT NULL CHECK (account_id ~ '^[0-9]{12}$'),
    kind        text        NOT NULL CHECK (kind IN ('root', 'user', 'role')),
    name        text        NOT NULL,
    arn         text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);

-- One live principal per ARN; a revoked name may be issued again.
CREATE UNIQUE INDEX principals_live_arn ON principals (arn) WHERE revoked_at IS NULL;

CREATE TABLE access_tokens (
    token_id     text        PRIMARY KEY,
    principal_id bigint      NOT NULL REFERENCES principals (id) ON DELETE CASCADE,
    secret_hash  bytea       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz
);

CREATE INDEX access_tokens_principal ON access_tokens (principal_id);
