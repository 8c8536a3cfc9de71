//! The demo's image archives (`examples/demo-images/`), built byte for byte the same on every
//! run so that their digests can be pinned in the demo's manifests. Written by
//! `cargo run -p kcheck-image --example demo_images -- examples/demo-images`; a test of the CLI
//! checks that the committed files are what this writes.
//!
//! The contents are small stand-ins (a few bytes per executable): what kcheck reads is names,
//! modes, owners and the configuration files, not machine code.

use super::{Compression, ImageBuilder};
use std::path::Path;

const DEBIAN_11: &str = "PRETTY_NAME=\"Debian GNU/Linux 11 (bullseye)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"11\"\nVERSION=\"11 (bullseye)\"\nVERSION_CODENAME=bullseye\nID=debian\n";

const DISTROLESS: &str = "PRETTY_NAME=\"Distroless\"\nNAME=\"Debian GNU/Linux\"\nID=\"debian\"\nVERSION_ID=\"12\"\nVERSION=\"Debian GNU/Linux 12 (bookworm)\"\nHOME_URL=\"https://github.com/GoogleContainerTools/distroless\"\n";

fn dpkg_status(packages: &[(&str, &str)]) -> Vec<u8> {
    let mut s = String::new();
    for (name, version) in packages {
        s.push_str(&format!(
            "Package: {name}\nStatus: install ok installed\nArchitecture: amd64\nVersion: {version}\n\n"
        ));
    }
    s.into_bytes()
}

/// `registry.example.com/shop/web:1.4.2`: a full Debian 11 image with the usual mistakes.
pub fn shop_web() -> ImageBuilder {
    let status = dpkg_status(&[
        ("bash", "5.1-2+deb11u1"),
        ("curl", "7.74.0-1.3+deb11u11"),
        ("libc6", "2.31-13+deb11u8"),
        ("libssl1.1", "1.1.1w-0+deb11u1"),
        ("login", "1:4.8.1-1"),
        ("openssl", "1.1.1w-0+deb11u1"),
    ]);
    ImageBuilder::new()
        .reference("registry.example.com/shop/web:1.4.2")
        .layer(|l| {
            l.compression(Compression::Gzip)
                .dir("/etc", 0o755)
                .file("/etc/os-release", 0o644, DEBIAN_11.as_bytes())
                .file(
                    "/etc/passwd",
                    0o644,
                    b"root:x:0:0:root:/root:/bin/bash\nwww-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n",
                )
                .dir("/bin", 0o755)
                .file("/bin/bash", 0o755, b"\x7fELF bash")
                .symlink("/bin/sh", "bash")
                .dir("/usr/bin", 0o755)
                .file("/usr/bin/apt", 0o755, b"\x7fELF apt")
                .file("/usr/bin/dpkg", 0o755, b"\x7fELF dpkg")
                .file("/usr/bin/curl", 0o755, b"\x7fELF curl")
                .file("/usr/bin/su", 0o4755, b"\x7fELF su")
                .file("/usr/bin/passwd", 0o4755, b"\x7fELF passwd")
                .dir("/var/lib/dpkg", 0o755)
                .file("/var/lib/dpkg/status", 0o644, &status)
                .dir("/tmp", 0o1777)
        })
        .layer(|l| {
            l.compression(Compression::Gzip)
                .dir("/app", 0o755)
                .file("/app/server", 0o755, b"\x7fELF shop-web")
                .file(
                    "/app/.env",
                    0o644,
                    b"LOG_LEVEL=info\nDATABASE_URL=postgres://shop:Wq8v3XmZt2Lr9pKc@db.shop.svc:5432/shop\n",
                )
                .dir("/app/uploads", 0o777)
        })
        .config(|c| {
            c.created("2025-03-02T10:15:00Z")
                .env("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
                .env("SESSION_SECRET", "b7Jf2kQz9XvR4tLm8NcP3wYs6HdG1aVe")
                .entrypoint(&["/app/server"])
        })
}

/// `registry.example.com/payments/payments-api:3.2.0`: distroless, one binary, uid 65532.
pub fn payments_api() -> ImageBuilder {
    let status = dpkg_status(&[
        ("base-files", "12.4+deb12u8"),
        ("tzdata", "2024b-0+deb12u1"),
    ]);
    ImageBuilder::new()
        .reference("registry.example.com/payments/payments-api:3.2.0")
        .layer(|l| {
            l.compression(Compression::Gzip)
                .dir("/etc", 0o755)
                .file("/etc/os-release", 0o644, DISTROLESS.as_bytes())
                .file(
                    "/etc/passwd",
                    0o644,
                    b"root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n",
                )
                .dir("/var/lib/dpkg/status.d", 0o755)
                .file("/var/lib/dpkg/status.d/base-files", 0o644, &status)
                .dir("/tmp", 0o1777)
        })
        .layer(|l| {
            l.compression(Compression::Gzip)
                .dir("/app", 0o755)
                .file_owned("/app/payments-api", 0o755, 65532, 65532, b"\x7fELF payments-api")
        })
        .config(|c| {
            c.created("2026-11-20T08:00:00Z")
                .user("65532:65532")
                .entrypoint(&["/app/payments-api"])
        })
}

/// Writes `shop-web.tar` and `payments-api.tar` (OCI archives) into `dir`.
pub fn write(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    shop_web().write_oci_archive(&dir.join("shop-web.tar"))?;
    payments_api().write_oci_archive(&dir.join("payments-api.tar"))?;
    Ok(())
}
