//! Reads raw Secret values under `/registry/secrets/` from etcd (v3 JSON gateway).
