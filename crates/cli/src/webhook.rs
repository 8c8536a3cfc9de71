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
    // Start-up problems are said in --lang, else the environment's language (the configuration
    // file's `webhook.language` is for what the webhook answers, and may be what failed).
    let lang = args.lang.unwrap_or_else(LangArg::from_env).lang();
    match kcheck_webhook::run(options) {
        Ok(()) => Ok(exit::OK),
        Err(e @ kcheck_webhook::Error::Unreachable { .. }) => {
            eprintln!("kcheck webhook: {}", message(&e, lang));
            Ok(exit::INPUT)
        }
        Err(e) => {
            eprintln!("kcheck webhook: {}", message(&e, lang));
            Ok(exit::USAGE)
        }
    }
}

/// A start-up error in `lang`. What the operating system or a library says is quoted as it is.
fn message(e: &kcheck_webhook::Error, lang: Lang) -> String {
    use kcheck_webhook::tls::TlsError;
    use kcheck_webhook::Error;
    if lang == Lang::En {
        return e.to_string();
    }
    match e {
        Error::Config { path, errors } => format!("{path}：{errors}"),
        Error::Read { path, source } => format!("无法读取 {path}：{source}"),
        Error::Tls(TlsError::File { path, message }) => {
            format!("{path}：无法加载 TLS 证书或私钥：{message}")
        }
        Error::Tls(TlsError::Pair { cert, key, message }) => {
            format!("{cert} 和 {key}：证书与私钥无法配合使用：{message}")
        }
        Error::Tls(TlsError::Config(m)) => format!("TLS 配置：{m}"),
        Error::Namespaces(n) => format!("名字空间文件：{n}"),
        Error::Bind { addr, source } => format!("无法监听 {addr}：{source}"),
        Error::Runtime(source) => format!("无法启动运行时：{source}"),
        Error::Api(m) => format!("Kubernetes API：{m}"),
        Error::Unreachable { server, cause } => format!(
            "无法连接 {server}：{}",
            kcheck_cluster::collect::cause_in(cause, lang)
        ),
    }
}
