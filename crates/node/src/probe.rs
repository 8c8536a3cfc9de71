//! Anonymous HTTPS requests to local control-plane ports (`--probe`).
