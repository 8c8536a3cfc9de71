//! `kcheck webhook`: the admission webhook server (crates/webhook), run until SIGTERM.

use crate::args::{LangArg, WebhookArgs};
use crate::exit;
use kcheck_model::Lang;
use std::time::Duration;

pub fn run(args: WebhookArgs) -> anyhow::Result<u8> {
    // Logs go to standard error, one line each; RUST_LOG-style filtering is not needed for a
    // server that logs little: start-up, reloads, shutdown, requests it could not judge.
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .try_init();
    let options = kcheck_webhook::Options {
        addr: args.addr,
        tls_cert: args.tls_cert,
        tls_key: args.tls_key,
        config: args.config,
        namespaces: args.namespaces,
        namespaces_from_api: args.namespaces_from_api,
        lang: args.lang.map(|l| match l {
            LangArg::En => Lang::En,
            LangArg::Zh => Lang::Zh,
        }),
        poll: Duration::from_secs(2),
        timeouts: kcheck_webhook::Timeouts::default(),
    };
    match kcheck_webhook::run(options) {
        Ok(()) => Ok(exit::OK),
        Err(e @ kcheck_webhook::Error::Unreachable { .. }) => {
            eprintln!("kcheck webhook: {e}");
            Ok(exit::INPUT)
        }
        Err(e) => {
            eprintln!("kcheck webhook: {e}");
            Ok(exit::USAGE)
        }
    }
}
