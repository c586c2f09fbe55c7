-- Accounts hardening. TOTP secrets are sealed with a per-user data key
-- (data_keys, record type 'user') wrapped by the key-encryption key:
-- totp_sealed holds the ciphertext and totp_secret is then ''. A secret
-- stored before a key existed stays in totp_secret until it is sealed.
-- totp_last_step is the last 30-second TOTP step that signed in, so a
-- code (or an older one) is never accepted twice.
ALTER TABLE users ADD COLUMN totp_sealed {{blob}};
ALTER TABLE users ADD COLUMN totp_last_step {{bigint}} NOT NULL DEFAULT 0;
