//! Values that are placeholders, variables, paths or references rather than secrets.

use super::names::WordList;

/// What a value that is not a secret is instead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placeholder {
    /// Nothing at all.
    Empty,
    /// A value to be filled in: `changeme`, `<your-token>`, `xxx`, `REDACTED`, `TODO`, `none`,
    /// the word `password` itself.
    FillIn,
    /// A variable for a tool or a program to substitute: `${VAR}`, `$VAR`,
    /// `{{ .Values.x }}`, `%VAR%`, `@VAR@`, `__VAR__`, `#{VAR}`, `<%= ... %>`.
    Variable,
    /// `$(VAR)`: another environment variable of the container, which Kubernetes substitutes in
    /// `env[].value` (and nowhere else).
    EnvReference,
    /// Where the secret is kept instead: a file path, a secret store, code that reads it, a
    /// `secretKeyRef`.
    Reference,
    /// A setting rather than a credential: a boolean or a number.
    Setting,
}

impl Placeholder {
    /// Whether the value stands for a secret still to come (to be filled in or substituted),
    /// rather than saying where the secret is or that there is none.
    pub fn awaits_secret(self) -> bool {
        matches!(
            self,
            Placeholder::Empty
                | Placeholder::FillIn
                | Placeholder::Variable
                | Placeholder::EnvReference
        )
    }

    /// `empty`, `a value to fill in`, `a variable to substitute`, in English and Chinese.
    pub fn describe(self) -> (&'static str, &'static str) {
        match self {
            Placeholder::Empty => ("empty", "空值"),
            Placeholder::FillIn => ("a value to fill in", "待填写的值"),
            Placeholder::Variable | Placeholder::EnvReference => {
                ("a variable to substitute", "待替换的变量")
            }
            Placeholder::Reference => ("a reference", "引用"),
            Placeholder::Setting => ("a setting", "设置值"),
        }
    }
}

/// Whether a value is not a secret, whatever the key: empty, booleans, numbers, placeholders,
/// template and variable references, paths and references to a secret store.
pub fn is_placeholder(value: &str) -> bool {
    placeholder(value).is_some()
}

/// What a value that is not a secret, whatever the key, is instead; `None` for a value that
/// could be one.
pub fn placeholder(value: &str) -> Option<Placeholder> {
    use Placeholder::*;
    let v = value.trim();
    if v.is_empty() {
        return Some(Empty);
    }
    let lower = v.to_ascii_lowercase();
    static SETTINGS: WordList = WordList::new("true false yes no on off");
    static WORDS: WordList = WordList::new(
        "\
        null nil none undefined n/a na tbd todo unset empty \
        password passwd pass pwd secret token apikey api_key api-key key private_key \
        credentials hidden masked default string value",
    );
    if SETTINGS.contains(&lower) || v.parse::<f64>().is_ok() {
        return Some(Setting);
    }
    if WORDS.contains(&lower) {
        return Some(FillIn);
    }
    // xxx, ***, ----: one character repeated, or only mask characters.
    let mut chars = v.chars();
    let first = chars.next().unwrap_or(' ');
    if chars.all(|c| c == first) || v.chars().all(|c| "xX*.-_#?".contains(c)) {
        return Some(FillIn);
    }
    if lower.contains("$(") {
        return Some(EnvReference);
    }
    const VARIABLES: &str = "${ {{ }} #{ %( <%";
    // %PASSWORD%, @PASSWORD@, __PASSWORD__, $PASSWORD
    let wrapped =
        |open: &str, close: &str| v.len() > 2 && v.starts_with(open) && v.ends_with(close);
    let shell_variable = v
        .strip_prefix('$')
        .is_some_and(|name| name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
    if VARIABLES.split_whitespace().any(|m| lower.contains(m))
        || wrapped("%", "%")
        || wrapped("@", "@")
        || wrapped("__", "__")
        || shell_variable
    {
        return Some(Variable);
    }
    const REFERENCES: &str = "secretkeyref secretref valuefrom";
    if REFERENCES.split_whitespace().any(|m| lower.contains(m))
        || is_path(v)
        || is_reference(&lower)
        || is_code(v, &lower)
    {
        return Some(Reference);
    }
    const MARKERS: &str = "\
        changeme change_me change-me changeit replaceme replace_me replace-me redacted \
        example placeholder dummy sample your_ your- yourpassword yoursecret yourtoken \
        insert_ insert- _here -here fill_in fill-in fillme set_me set-me xxxx **** ...";
    // <your-password>, [password]
    if MARKERS.split_whitespace().any(|m| lower.contains(m))
        || wrapped("<", ">")
        || wrapped("[", "]")
    {
        return Some(FillIn);
    }
    None
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
    fn what_placeholders_are() {
        use Placeholder::*;
        for (v, kind) in [
            ("", Empty),
            (" ", Empty),
            ("changeme", FillIn),
            ("<your-token>", FillIn),
            ("[password]", FillIn),
            ("xxx", FillIn),
            ("***", FillIn),
            ("REDACTED", FillIn),
            ("TODO", FillIn),
            ("none", FillIn),
            ("password", FillIn),
            ("sk_live_...", FillIn),
            ("INSERT_ETCD_INITIAL_CLUSTER_TOKEN", FillIn),
            ("${DB_PASSWORD}", Variable),
            ("$DB_PASSWORD", Variable),
            ("{{ .Values.db.password }}", Variable),
            ("%DB_PASSWORD%", Variable),
            ("@DB_PASSWORD@", Variable),
            ("__DB_PASSWORD__", Variable),
            ("#{DbPassword}", Variable),
            ("<%= ENV['DB_PASSWORD'] %>", Variable),
            ("$(DB_PASSWORD)", EnvReference),
            ("/etc/secrets/example/password", Reference),
            ("vault:secret/data/db#password", Reference),
            ("secretKeyRef", Reference),
            ("ENC(Zq4RtY8uWm2N)", Reference),
            ("*db_password", Reference),
            ("true", Setting),
            ("no", Setting),
            ("1", Setting),
            ("0000", Setting),
            ("3.5", Setting),
        ] {
            assert_eq!(placeholder(v), Some(kind), "{v:?}");
        }
        assert!(FillIn.awaits_secret() && Variable.awaits_secret() && Empty.awaits_secret());
        assert!(!Reference.awaits_secret() && !Setting.awaits_secret());
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
