//! Certificates for test trees, made with rcgen (RSA keys come from the `openssl` CLI, which
//! rcgen cannot generate with ring; they are made once per process and path, then reused).

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SerialNumber,
};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// A key's algorithm and size.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyType {
    /// RSA with this many modulus bits (made with `openssl genpkey`).
    Rsa(u32),
    EcdsaP256,
    EcdsaP384,
    Ed25519,
}

/// What a certificate says; the tree signs it with its issuer's key when built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertSpec {
    pub common_name: String,
    /// Subject organizations (`O=`), read by Kubernetes as groups (at most two).
    pub organizations: Vec<String>,
    pub is_ca: bool,
    /// Host path of the issuing CA's certificate (its key is the `.key` beside it, or whatever
    /// key the tree generated for it); `None` for a self-signed certificate.
    pub issuer: Option<String>,
    /// Start of validity, in days relative to the tree's `now` (negative: in the past).
    pub valid_from_days: i64,
    /// Lifetime in days from the start of validity.
    pub lifetime_days: i64,
    pub key: KeyType,
    pub client_auth: bool,
    pub server_auth: bool,
    pub dns_names: Vec<String>,
}

impl CertSpec {
    /// A self-signed CA valid for ten years from yesterday (as kubeadm makes them).
    pub fn ca(common_name: &str) -> CertSpec {
        CertSpec {
            common_name: common_name.into(),
            organizations: Vec::new(),
            is_ca: true,
            issuer: None,
            valid_from_days: -1,
            lifetime_days: 3650,
            key: KeyType::Rsa(2048),
            client_auth: false,
            server_auth: false,
            dns_names: Vec::new(),
        }
    }

    /// A client certificate valid for one year, issued by `issuer` (a CA certificate path).
    pub fn client(common_name: &str, organizations: &[&str], issuer: &str) -> CertSpec {
        CertSpec {
            organizations: organizations.iter().map(|o| o.to_string()).collect(),
            is_ca: false,
            issuer: Some(issuer.into()),
            lifetime_days: 365,
            client_auth: true,
            ..CertSpec::ca(common_name)
        }
    }

    /// A serving certificate valid for one year, issued by `issuer`.
    pub fn server(common_name: &str, dns_names: &[&str], issuer: &str) -> CertSpec {
        CertSpec {
            server_auth: true,
            client_auth: false,
            dns_names: dns_names.iter().map(|d| d.to_string()).collect(),
            ..CertSpec::client(common_name, &[], issuer)
        }
    }

    pub fn days(mut self, lifetime_days: i64) -> CertSpec {
        self.lifetime_days = lifetime_days;
        self
    }

    pub fn valid_from(mut self, days_from_now: i64) -> CertSpec {
        self.valid_from_days = days_from_now;
        self
    }

    pub fn key(mut self, key: KeyType) -> CertSpec {
        self.key = key;
        self
    }

    pub fn orgs(mut self, organizations: &[&str]) -> CertSpec {
        self.organizations = organizations.iter().map(|o| o.to_string()).collect();
        self
    }

    pub fn issued_by(mut self, issuer: Option<&str>) -> CertSpec {
        self.issuer = issuer.map(str::to_string);
        self
    }

    pub fn with_ca(mut self, is_ca: bool) -> CertSpec {
        self.is_ca = is_ca;
        self
    }

    pub fn with_client_auth(mut self, on: bool) -> CertSpec {
        self.client_auth = on;
        self
    }

    pub fn with_server_auth(mut self, on: bool) -> CertSpec {
        self.server_auth = on;
        self
    }
}

/// A generated certificate and its key, in PEM.
pub struct Made {
    pub cert_pem: String,
    pub key_pem: String,
    pub params: CertificateParams,
    pub key: KeyPair,
}

/// A key for `slot` (the certificate's path): generated once per process and reused, so that
/// many trees cost one RSA generation per path.
pub fn key_for(kind: KeyType, slot: &str) -> KeyPair {
    static KEYS: OnceLock<Mutex<HashMap<(KeyType, String), String>>> = OnceLock::new();
    let cache = KEYS.get_or_init(|| Mutex::new(HashMap::new()));
    let pem = {
        let mut map = cache.lock().unwrap_or_else(|e| e.into_inner());
        map.entry((kind, slot.to_string()))
            .or_insert_with(|| generate_pem(kind))
            .clone()
    };
    let alg = match kind {
        KeyType::Rsa(_) => &rcgen::PKCS_RSA_SHA256,
        KeyType::EcdsaP256 => &rcgen::PKCS_ECDSA_P256_SHA256,
        KeyType::EcdsaP384 => &rcgen::PKCS_ECDSA_P384_SHA384,
        KeyType::Ed25519 => &rcgen::PKCS_ED25519,
    };
    KeyPair::from_pem_and_sign_algo(&pem, alg).expect("test key parses")
}

fn generate_pem(kind: KeyType) -> String {
    let alg = match kind {
        KeyType::Rsa(bits) => {
            let out = std::process::Command::new("openssl")
                .args(["genpkey", "-algorithm", "RSA", "-pkeyopt"])
                .arg(format!("rsa_keygen_bits:{bits}"))
                .output()
                .expect("the openssl CLI makes the RSA keys of test trees");
            assert!(out.status.success(), "openssl genpkey failed");
            return String::from_utf8(out.stdout).expect("PEM is ASCII");
        }
        KeyType::EcdsaP256 => &rcgen::PKCS_ECDSA_P256_SHA256,
        KeyType::EcdsaP384 => &rcgen::PKCS_ECDSA_P384_SHA384,
        KeyType::Ed25519 => &rcgen::PKCS_ED25519,
    };
    KeyPair::generate_for(alg)
        .expect("key generation")
        .serialize_pem()
}

fn time_at(unix: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp(unix).expect("a representable date")
}

/// Makes a certificate. `issuer` is the issuing CA's parameters and key (none: self-signed).
pub fn make(
    spec: &CertSpec,
    slot: &str,
    now: i64,
    serial: u64,
    issuer: Option<(&CertificateParams, &KeyPair)>,
) -> Made {
    let mut params = CertificateParams::new(spec.dns_names.clone()).expect("valid names");
    let mut dn = DistinguishedName::new();
    // rcgen keeps one value per attribute type: a second `O=` goes in under the same OID
    // spelled as a custom type. More than two are not supported.
    let mut orgs = spec.organizations.iter();
    if let Some(o) = orgs.next() {
        dn.push(DnType::OrganizationName, o.as_str());
    }
    if let Some(o) = orgs.next() {
        dn.push(DnType::CustomDnType(vec![2, 5, 4, 10]), o.as_str());
    }
    dn.push(DnType::CommonName, spec.common_name.as_str());
    params.distinguished_name = dn;
    let start = now + spec.valid_from_days * 86_400;
    params.not_before = time_at(start);
    params.not_after = time_at(start + spec.lifetime_days * 86_400);
    params.serial_number = Some(SerialNumber::from(serial));
    if spec.is_ca {
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
        ];
    } else {
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
    }
    if spec.client_auth {
        params
            .extended_key_usages
            .push(ExtendedKeyUsagePurpose::ClientAuth);
    }
    if spec.server_auth {
        params
            .extended_key_usages
            .push(ExtendedKeyUsagePurpose::ServerAuth);
    }
    params.use_authority_key_identifier_extension = issuer.is_some();
    let key = key_for(spec.key, slot);
    let cert = match issuer {
        Some((issuer_params, issuer_key)) => {
            let issuer = Issuer::from_params(issuer_params, issuer_key);
            params.signed_by(&key, &issuer)
        }
        None => params.self_signed(&key),
    }
    .expect("certificate signs");
    Made {
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
        params,
        key,
    }
}
