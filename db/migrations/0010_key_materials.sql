-- The key materials of keys with imported material (Origin EXTERNAL), one row per material the
-- key has been given: AWS's multiple key materials of an imported symmetric key. The wrapped
-- material itself is a key_materials row while it is imported; deleting or expiring it removes
-- that row and keeps this one, so the key remembers which material a re-import must bring
-- (AWS's ImportState is IMPORTED exactly when the key_materials row exists).
CREATE TABLE imported_materials (
    key_id              uuid        NOT NULL REFERENCES keys (id) ON DELETE CASCADE,
    material_id         text        NOT NULL,
    -- AWS's KeyMaterialDescription; NULL when none was ever given.
    description         text,
    -- AWS's KeyMaterialState: CURRENT, NON_CURRENT or PENDING_ROTATION.
    state               text        NOT NULL,
    -- The expiry of the material's import; both NULL while it is not imported.
    expiration_model    text,
    valid_to            timestamptz,
    -- When an on-demand rotation made it current; NULL for the first material and pending ones.
    rotated_at          timestamptz,
    PRIMARY KEY (key_id, material_id)
);

-- The expiry job finds due material by this.
CREATE INDEX imported_materials_expiring ON imported_materials (valid_to)
    WHERE valid_to IS NOT NULL;

-- Keys imported into before this migration had one material, their current one.
INSERT INTO imported_materials (key_id, material_id, state, expiration_model, valid_to)
SELECT k.id, k.current_material_id, 'CURRENT',
       CASE WHEN m.key_id IS NULL THEN NULL ELSE k.expiration_model END,
       CASE WHEN m.key_id IS NULL THEN NULL ELSE k.valid_to END
FROM keys k
LEFT JOIN key_materials m ON m.key_id = k.id AND m.material_id = k.current_material_id
WHERE k.origin = 'EXTERNAL' AND k.current_material_id IS NOT NULL;
