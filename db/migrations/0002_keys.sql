-- KMS keys and everything that hangs off them. Key material is stored only wrapped under the
-- HSM's domain key; keys in a custom key store have no wrapped material here (they live as token
-- objects in that store's token, found by label = key id).

CREATE TABLE custom_key_stores (
    id                  text        PRIMARY KEY,
    account_id          text        NOT NULL,
    region              text        NOT NULL,
    name                text        NOT NULL,
    module_path         text        NOT NULL,
    token_label         text        NOT NULL,
    -- The token's PIN, sealed under the domain key (AES-GCM in the HSM); never stored in clear.
    sealed_pin          bytea       NOT NULL,
    connection_state    text        NOT NULL DEFAULT 'DISCONNECTED',
    connection_error    text,
    created_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (account_id, region, name)
);

CREATE TABLE keys (
    id                      uuid        PRIMARY KEY,
    account_id              text        NOT NULL,
    region                  text        NOT NULL,
    description             text        NOT NULL DEFAULT '',
    key_spec                text        NOT NULL,
    key_usage               text        NOT NULL,
    origin                  text        NOT NULL,
    state                   text        NOT NULL,
    created_at              timestamptz NOT NULL DEFAULT now(),
    current_material_id     text,
    deletion_date           timestamptz,
    pending_window_days     integer,
    custom_key_store_id     text        REFERENCES custom_key_stores (id),
    expiration_model        text,
    valid_to                timestamptz,
    rotation_period_days    integer,
    next_rotation_at        timestamptz,
    policy                  text        NOT NULL,
    -- Bumped by every change, so caches in other processes can tell a stale copy.
    version                 bigint      NOT NULL DEFAULT 1
);

CREATE INDEX keys_listing ON keys (account_id, region, id);
CREATE INDEX keys_deletion_due ON keys (deletion_date) WHERE state = 'PendingDeletion';
CREATE INDEX keys_rotation_due ON keys (next_rotation_at) WHERE next_rotation_at IS NOT NULL;
CREATE INDEX keys_expiring ON keys (valid_to) WHERE valid_to IS NOT NULL;

CREATE TABLE key_materials (
    key_id          uuid        NOT NULL REFERENCES keys (id) ON DELETE CASCADE,
    material_id     text        NOT NULL,
    wrapped         bytea       NOT NULL,
    public_key      bytea,
    created_at      timestamptz NOT NULL DEFAULT now(),
    -- NULL for the first material; AUTOMATIC or ON_DEMAND for a rotation; IMPORTED for imports.
    rotation_type   text,
    PRIMARY KEY (key_id, material_id)
);

CREATE TABLE aliases (
    account_id      text        NOT NULL,
    region          text        NOT NULL,
    name            text        NOT NULL,
    key_id          uuid        NOT NULL REFERENCES keys (id) ON DELETE CASCADE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, region, name)
);

CREATE INDEX aliases_by_key ON aliases (key_id);

CREATE TABLE key_tags (
    key_id          uuid        NOT NULL REFERENCES keys (id) ON DELETE CASCADE,
    tag_key         text        NOT NULL,
    tag_value       text        NOT NULL,
    PRIMARY KEY (key_id, tag_key)
);

CREATE TABLE import_tokens (
    id                  uuid        PRIMARY KEY,
    key_id              uuid        NOT NULL REFERENCES keys (id) ON DELETE CASCADE,
    wrapping_algorithm  text        NOT NULL,
    wrapping_key_spec   text        NOT NULL,
    -- The RSA import key pair's private half, wrapped under the domain key.
    wrapped_private_key bytea       NOT NULL,
    public_key          bytea       NOT NULL,
    expires_at          timestamptz NOT NULL,
    used_at             timestamptz
);

-- What happened to each key, in order: the state history that concurrent changes must agree with.
CREATE TABLE key_events (
    id              bigserial   PRIMARY KEY,
    key_id          uuid        NOT NULL,
    at              timestamptz NOT NULL DEFAULT now(),
    action          text        NOT NULL,
    from_state      text,
    to_state        text
);

CREATE INDEX key_events_by_key ON key_events (key_id, id);
