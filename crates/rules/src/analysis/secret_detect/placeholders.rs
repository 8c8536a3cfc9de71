//! Values that are placeholders, variables, paths or references rather than secrets.

use super::names::WordList;

/// Whether a value is not a secret, whatever the key: empty, booleans, numbers, placeholders,
/// template and variable references, paths and references to a secret store.
pub fn is_placeholder(value: &str) -> bool {
    let v = value.trim();
    if v.is_empty() {
        return true;
    }
    let lower = v.to_ascii_lowercase();
    static WORDS: WordList = WordList::new(
        "\
        true false yes no on off null nil none undefined n/a na tbd todo unset empty \
        password passwd pass pwd secret token apikey api_key api-key key private_key \
        credentials hidden masked default string value",
    );
    if WORDS.contains(&lower) {
        return true;
    }
    const MARKERS: &str = "\
        changeme change_me change-me changeit replaceme replace_me replace-me redacted \
        example placeholder dummy sample your_ your- yourpassword yoursecret yourtoken \
        insert_ insert- _here -here fill_in fill-in fillme set_me set-me secretkeyref \
        secretref valuefrom xxxx **** ... ${ $( {{ }} #{ %( <%";
    if MARKERS.split_whitespace().any(|m| lower.contains(m)) {
        return true;
    }
    // <your-password>, [password], %PASSWORD%, @PASSWORD@, __PASSWORD__, $PASSWORD
    let wrapped =
        |open: &str, close: &str| v.len() > 2 && v.starts_with(open) && v.ends_with(close);
    if wrapped("<", ">")
        || wrapped("[", "]")
        || wrapped("%", "%")
        || wrapped("@", "@")
        || wrapped("__", "__")
    {
        return true;
    }
    if let Some(name) = v.strip_prefix('$') {
        if name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return true;
        }
    }
    // xxx, ***, ----, 0000: one character repeated, or only mask characters.
    let mut chars = v.chars();
    let first = chars.next().unwrap_or(' ');
    if chars.all(|c| c == first) || v.chars().all(|c| "xX*.-_#?".contains(c)) {
        return true;
    }
    if v.parse::<f64>().is_ok() {
        return true;
    }
    is_path(v) || is_reference(&lower) || is_code(v, &lower)
}

/// Code and configuration-language references rather than values: `os.environ["DB_PASSWORD"]`,
/// `getenv("TOKEN")`, `ENC(...)`, `var.db_password`, `settings.SECRET_KEY`, YAML aliases
/// (`*db_password`) and tags (`!secret db_password`).
fn is_code(v: &str, lower: &str) -> bool {
    const CALLS: &str = "\
        getenv environ process.env env[ env. secrets.";
    if CALLS.split_whitespace().any(|c| lower.contains(c)) || (v.ends_with(')') && v.contains('('))
    {
        return true;
    }
    if v.starts_with('!') || ((v.starts_with('*') || v.starts_with('&')) && v.len() > 1) {
        return true;
    }
    let dotted_identifier = v.contains('.')
        && v.split('.').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        });
    dotted_identifier
        && ["password", "passwd", "secret", "token", "key", "credential"]
            .iter()
            .any(|w| lower.contains(w))
}

/// File paths: `/etc/secrets/db`, `./key.pem`, `~/.aws/credentials`, `C:\keys\x`, `db.pem`.
fn is_path(v: &str) -> bool {
    if v.starts_with('/')
        || v.starts_with("./")
        || v.starts_with("../")
        || v.starts_with("~/")
        || v.starts_with("file:")
    {
        return true;
    }
    let b = v.as_bytes();
    if b.len() > 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'\\' {
        return true;
    }
    const EXTENSIONS: &str = "\
        .pem .key .crt .cert .txt .json .yaml .yml .conf .cfg .properties .env .p12 .pfx \
        .jks .keystore .token .secret .ini";
    let lower = v.to_ascii_lowercase();
    EXTENSIONS.split_whitespace().any(|e| lower.ends_with(e))
}

/// References to a secret kept elsewhere: `vault:secret/data/db#password`, an AWS Secrets Manager
/// ARN, a GCP Secret Manager name, a 1Password or Key Vault reference.
fn is_reference(lower: &str) -> bool {
    const SCHEMES: &str = "\
        vault: ref+ arn:aws: projects/ sm:// gcp: gcpsm: azure: keyvault: akv: op:// env: \
        k8s: awssm: secretsmanager: ssm: secret: secret://";
    SCHEMES.split_whitespace().any(|s| lower.starts_with(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders() {
        for v in [
            "",
            "  ",
            "changeme",
            "CHANGE_ME",
            "<your-password>",
            "${DB_PASSWORD}",
            "$(DB_PASSWORD)",
            "$DB_PASSWORD",
            "{{ .Values.db.password }}",
            "xxx",
            "xxxx-xxxx",
            "REDACTED",
            "example",
            "my-example-token",
            "***",
            "true",
            "False",
            "12345",
            "3.5",
            "/etc/secrets/password",
            "./creds.json",
            "db.pem",
            "vault:secret/data/db#password",
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db",
            "secretKeyRef",
            "%DB_PASSWORD%",
            "INSERT_ETCD_INITIAL_CLUSTER_TOKEN",
            "your-token-here",
            "os.environ[\"DB_PASSWORD\"]",
            "System.getenv(\"DB_PASSWORD\")",
            "ENC(Zq4RtY8uWm2N)",
            "var.db_password",
            "settings.SECRET_KEY",
            "*db_password",
            "!secret db_password",
            "password",
            "...",
        ] {
            assert!(is_placeholder(v), "{v:?}");
        }
    }

    #[test]
    fn real_looking_values_are_not_placeholders() {
        for v in [
            "hunter22",
            "Tr0ub4dor&3",
            "s3cr3t-Valu3",
            "q8Zf2LmP0wXc",
            "admin123",
        ] {
            assert!(!is_placeholder(v), "{v:?}");
        }
    }
}
