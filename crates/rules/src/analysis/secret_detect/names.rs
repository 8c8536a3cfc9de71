//! What a key's name says about its value.

/// What a key's name says about its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameHint {
    /// `password`, `DB_PASSWD`, `passphrase`, `pwd`.
    Password,
    /// `token`, `auth_token`, `bearerToken`.
    Token,
    /// `api_key`, `apikey`, `private_key`, `secret_key`.
    ApiKey,
    /// `secret`, `client_secret`, `credentials`.
    Secret,
    /// A weaker hint (`key`, `signing_key`, `hmac`, `salt`, `access_key`): only a high-entropy
    /// value counts.
    KeyLike,
    None,
}

/// Words that make a name describe something about a secret (its file, length, lifetime, the
/// name of the Secret holding it) rather than hold one.
static NOT_A_VALUE: WordList = WordList::new(
    "\
    file files filename filepath path paths dir directory folder ref refs reference name \
    names length len min max minimum maximum ttl expiry expiration expire expires expired \
    timeout duration lifetime age interval period policy policies enabled enable disable \
    disabled required require header type mode url uri endpoint location env var count \
    size limit hash hashed regex pattern format field prefix suffix kind provider source \
    mount volume annotation label audience issuer cache rotation version reviewer \
    generator complexity strength validation validator verify check manager namespace \
    template class backend command cmd script configmap hint help description message \
    prompt reset attempts retries history lookup algorithm method scheme strategy driver \
    plugin scope scopes claim claims secretref keyref store vault arn public pub",
);

/// With only a weak hint, these say the value is an identifier or a digest, not a key.
static NOT_KEY_MATERIAL: WordList = WordList::new(
    "\
    id ids fingerprint gpg pgp cert certificate ca digest sha sha1 sha256 checksum etag \
    uid uuid image user username login account partition routing sort primary foreign \
    shard group topic",
);

/// A list of words written as one space-separated string, looked up through a set built on
/// first use: the detectors ask about every word of every environment variable's name, and a
/// linear scan of the lists was the webhook's hottest spot.
pub(super) struct WordList {
    words: &'static str,
    set: std::sync::OnceLock<rustc_hash::FxHashSet<&'static str>>,
}

impl WordList {
    pub(super) const fn new(words: &'static str) -> WordList {
        WordList {
            words,
            set: std::sync::OnceLock::new(),
        }
    }

    pub(super) fn contains(&self, word: &str) -> bool {
        self.set
            .get_or_init(|| self.words.split_whitespace().collect())
            .contains(word)
    }
}

/// Splits a name into lowercase words at punctuation, camelCase and letter/digit changes:
/// `spring.datasource.password` -> spring, datasource, password; `APIKey` -> api, key.
pub fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words = Vec::new();
    let mut word = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            continue;
        }
        if !word.is_empty() {
            // The previous character is in `word`, so it exists and is alphanumeric.
            let prev = chars[i - 1];
            let next = chars.get(i + 1).copied();
            let boundary = (prev.is_lowercase() && c.is_uppercase())
                || (prev.is_uppercase()
                    && c.is_uppercase()
                    && next.is_some_and(char::is_lowercase))
                || (prev.is_ascii_digit() != c.is_ascii_digit());
            if boundary {
                words.push(std::mem::take(&mut word));
            }
        }
        word.extend(c.to_lowercase());
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// What `name` says about its value.
pub fn classify(name: &str) -> NameHint {
    let words = words(name);
    if words.is_empty() || words.iter().any(|w| NOT_A_VALUE.contains(w)) {
        return NameHint::None;
    }
    let joined = words.concat();
    let last = words.last().map_or("", String::as_str);
    if words.iter().any(|w| {
        w.contains("password") || w.contains("passwd") || w.contains("passphrase") || w == "pwd"
    }) || words.iter().any(|w| w == "pass") && !joined.contains("passthrough")
    {
        return NameHint::Password;
    }
    // etcd's initial cluster token only keeps the IDs of two clusters apart: not a credential.
    if joined.contains("initialclustertoken") {
        return NameHint::None;
    }
    let key_material = !words.iter().any(|w| NOT_KEY_MATERIAL.contains(w));
    if key_material
        && [
            "apikey",
            "privatekey",
            "secretkey",
            "masterkey",
            "clientkey",
        ]
        .iter()
        .any(|k| joined.contains(k))
    {
        return NameHint::ApiKey;
    }
    if key_material && words.iter().any(|w| w.ends_with("token")) {
        return NameHint::Token;
    }
    if key_material
        && words.iter().any(|w| {
            w.ends_with("secret")
                || w == "secrets"
                || w == "credential"
                || w == "credentials"
                || w == "creds"
        })
    {
        return NameHint::Secret;
    }
    let weak = [
        "key",
        "keys",
        "salt",
        "hmac",
        "signing",
        "cookie",
        "session",
        "encryption",
        "cipher",
        "seed",
        "auth",
        "license",
        "dsn",
    ];
    if key_material && (words.iter().any(|w| weak.contains(&w.as_str())) || last.ends_with("key")) {
        return NameHint::KeyLike;
    }
    NameHint::None
}

/// Whether a `secret`- or `credentials`-named key holds the name of a Secret object
/// (`existingSecret`, `TLS_SECRET`, `imagePullSecret`) or the path of a credentials file
/// (`GOOGLE_APPLICATION_CREDENTIALS`) rather than a credential. Only an empty or placeholder
/// value needs the name to tell: such names and paths are never secret-shaped.
pub fn names_a_secret_object(name: &str) -> bool {
    static OBJECT: WordList = WordList::new(
        "existing tls ssl pull pulls image registry docker dockercfg dockerconfigjson sealed kube \
        k8s kubernetes",
    );
    let words = words(name);
    words.iter().any(|w| OBJECT.contains(w))
        || (words.iter().any(|w| w == "application") && words.iter().any(|w| w == "credentials"))
}

/// Whether `name` names an AWS (or S3-compatible) secret access key.
pub fn is_aws_secret_name(name: &str) -> bool {
    let words = words(name);
    let joined = words.concat();
    joined.contains("secretaccesskey")
        || (words.iter().any(|w| w == "aws") && words.iter().any(|w| w == "secret"))
}

/// Whether `name` mentions Azure (`AZURE_CLIENT_SECRET`, `azurestorageaccountkey`).
pub fn is_azure_name(name: &str) -> bool {
    words(name)
        .iter()
        .any(|w| w.starts_with("azure") || w == "aad")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_like_people_write_names() {
        assert_eq!(
            words("spring.datasource.password"),
            ["spring", "datasource", "password"]
        );
        assert_eq!(words("APIKey"), ["api", "key"]);
        assert_eq!(words("clientSecret"), ["client", "secret"]);
        assert_eq!(words("DB_PASSWORD2"), ["db", "password", "2"]);
        assert_eq!(words("--db-pass"), ["db", "pass"]);
    }

    #[test]
    fn names_that_hold_secrets() {
        use NameHint::*;
        for (name, hint) in [
            ("password", Password),
            ("MYSQL_ROOT_PASSWORD", Password),
            ("db.passwd", Password),
            ("dbpassword", Password),
            ("ssh_passphrase", Password),
            ("PGPASS", None), // one word that only starts with "pass"
            ("pass", Password),
            ("api_key", ApiKey),
            ("APIKEY", ApiKey),
            ("stripeApiKey", ApiKey),
            ("private_key", ApiKey),
            ("AUTH_TOKEN", Token),
            ("bearerToken", Token),
            ("client_secret", Secret),
            ("clientSecret", Secret),
            ("credentials", Secret),
            ("signing_key", KeyLike),
            ("ENCRYPTION_KEY", KeyLike),
            ("MINIO_ACCESS_KEY", KeyLike),
        ] {
            assert_eq!(classify(name), hint, "{name}");
        }
    }

    #[test]
    fn names_about_secrets_are_not_secrets() {
        for name in [
            "password_file",
            "passwordPath",
            "password_min_length",
            "token_ttl",
            "tokenURL",
            "secretName",
            "tls_secret_name",
            "client_id",
            "private_key_id",
            "AWS_ACCESS_KEY_ID",
            "public_key",
            "GPG_KEY",
            "secretKeyRef",
            "username",
            "passthrough_pass_mode",
            "bypass",
            "ETCD_INITIAL_CLUSTER_TOKEN",
            "initial-cluster-token",
        ] {
            assert!(
                matches!(classify(name), NameHint::None),
                "{name}: {:?}",
                classify(name)
            );
        }
    }

    #[test]
    fn aws_and_azure_names() {
        assert!(is_aws_secret_name("aws_secret_access_key"));
        assert!(is_aws_secret_name("AWS_SECRET_KEY"));
        assert!(is_aws_secret_name("secretAccessKey"));
        assert!(!is_aws_secret_name("aws_access_key_id"));
        assert!(is_azure_name("AZURE_CLIENT_SECRET"));
        assert!(!is_azure_name("client_secret"));
    }
}
