//! The node's file system seen through `--root`: host paths resolved inside the root (absolute
//! symlinks included, as the node would follow them), bounded reads of regular files only, and
//! `stat` with owner and group names from the node's own `/etc/passwd` and `/etc/group`.

use kcheck_model::facts::FileStat;
use std::collections::HashMap;
use std::ffi::OsString;
use std::io::Read;
use std::os::unix::fs::MetadataExt;
use std::path::{Component, Path, PathBuf};

/// Symlinks followed in one path before giving up (Linux's own limit).
const MAX_SYMLINKS: usize = 40;

/// Why a file's content could not be had.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("no such file or directory")]
    NotFound,
    #[error("not a regular file")]
    NotRegular,
    #[error("larger than {max} bytes; not read")]
    TooLarge { max: u64 },
    #[error("{0}")]
    Io(String),
}

impl ReadError {
    fn from_io(e: &std::io::Error) -> ReadError {
        match e.kind() {
            std::io::ErrorKind::NotFound => ReadError::NotFound,
            std::io::ErrorKind::PermissionDenied => ReadError::Io("permission denied".into()),
            _ => ReadError::Io(e.to_string()),
        }
    }
}

pub struct Host {
    root: PathBuf,
    max_file_bytes: u64,
    users: HashMap<u32, String>,
    groups: HashMap<u32, String>,
}

impl Host {
    pub fn new(root: &Path, max_file_bytes: u64) -> Host {
        let mut host = Host {
            root: root.to_path_buf(),
            max_file_bytes,
            users: HashMap::new(),
            groups: HashMap::new(),
        };
        host.users = host.id_names("/etc/passwd");
        host.groups = host.id_names("/etc/group");
        host
    }

    /// `name:x:id:...` lines: passwd and group share the first and third fields.
    fn id_names(&self, path: &str) -> HashMap<u32, String> {
        let Ok(bytes) = self.read(path) else {
            return HashMap::new();
        };
        let text = String::from_utf8_lossy(&bytes);
        let mut names = HashMap::new();
        for line in text.lines() {
            let mut fields = line.split(':');
            let (Some(name), Some(_), Some(id)) = (fields.next(), fields.next(), fields.next())
            else {
                continue;
            };
            if let Ok(id) = id.trim().parse::<u32>() {
                // The first entry for an id is the one `ls -l` shows.
                names.entry(id).or_insert_with(|| name.to_string());
            }
        }
        names
    }

    /// The real path of a host path: inside the root, with symlinks resolved as the node would
    /// (an absolute link target starts again at the root).
    pub fn resolve(&self, host: &str) -> Result<PathBuf, ReadError> {
        let host_path = Path::new("/").join(host);
        if self.root == Path::new("/") {
            return Ok(host_path);
        }
        let mut pending: Vec<OsString> = Vec::new();
        push_components(&mut pending, &host_path);
        let mut current: Vec<OsString> = Vec::new();
        let mut hops = 0;
        while let Some(name) = pending.pop() {
            if name == ".." {
                current.pop();
                continue;
            }
            let mut candidate = self.root.clone();
            candidate.extend(&current);
            candidate.push(&name);
            match std::fs::symlink_metadata(&candidate) {
                Ok(m) if m.file_type().is_symlink() => {
                    hops += 1;
                    if hops > MAX_SYMLINKS {
                        return Err(ReadError::Io("too many levels of symbolic links".into()));
                    }
                    let target =
                        std::fs::read_link(&candidate).map_err(|e| ReadError::from_io(&e))?;
                    if target.is_absolute() {
                        current.clear();
                    }
                    push_components(&mut pending, &target);
                }
                _ => current.push(name),
            }
        }
        let mut real = self.root.clone();
        real.extend(&current);
        Ok(real)
    }

    /// Reads a regular file, at most the size limit.
    pub fn read(&self, host: &str) -> Result<Vec<u8>, ReadError> {
        // Under a --root, the kernel resolves the whole path as if the root were `/`
        // (openat2 RESOLVE_IN_ROOT): no component, intermediate or last, can lead outside it,
        // whatever changes in the tree during the scan. Kernels without openat2 (before 5.6)
        // get the path resolved here, and its last component opened without following a
        // symlink. Either way a FIFO does not block the open (O_NONBLOCK), and what was opened
        // is judged (no check-then-open race): only a regular file is read.
        let opened = match open_in_root(&self.root, host) {
            Some(opened) => opened,
            None => open_regular(&self.resolve(host)?),
        };
        let file = opened.map_err(|e| ReadError::from_io(&e))?;
        let meta = file.metadata().map_err(|e| ReadError::from_io(&e))?;
        if !meta.is_file() {
            return Err(ReadError::NotRegular);
        }
        if meta.len() > self.max_file_bytes {
            return Err(ReadError::TooLarge {
                max: self.max_file_bytes,
            });
        }
        let mut bytes = Vec::new();
        file.take(self.max_file_bytes.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| ReadError::from_io(&e))?;
        if bytes.len() as u64 > self.max_file_bytes {
            return Err(ReadError::TooLarge {
                max: self.max_file_bytes,
            });
        }
        Ok(bytes)
    }

    /// A small text file (a sysfs flag, a cmdline), trimmed; `None` when not readable.
    pub fn read_text(&self, host: &str) -> Option<String> {
        self.read(host)
            .ok()
            .map(|b| String::from_utf8_lossy(&b).trim().to_string())
    }

    pub fn stat(&self, host: &str) -> FileStat {
        // Under a --root the kernel resolves the path inside it (see `read`); the descriptor
        // (O_PATH) is only looked at, never read.
        #[cfg(target_os = "linux")]
        if let Some(opened) = open_in_root_with(&self.root, host, libc::O_PATH) {
            return match opened.and_then(|f| f.metadata()) {
                Ok(m) => self.present(&m),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => FileStat::Missing,
                Err(e) => FileStat::Unreadable {
                    error: ReadError::from_io(&e).to_string(),
                },
            };
        }
        let real = match self.resolve(host) {
            Ok(r) => r,
            Err(ReadError::NotFound) => return FileStat::Missing,
            Err(e) => {
                return FileStat::Unreadable {
                    error: e.to_string(),
                }
            }
        };
        match std::fs::metadata(&real) {
            Ok(m) => self.present(&m),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => FileStat::Missing,
            Err(e) => FileStat::Unreadable {
                error: ReadError::from_io(&e).to_string(),
            },
        }
    }

    fn present(&self, m: &std::fs::Metadata) -> FileStat {
        FileStat::Present {
            uid: m.uid(),
            gid: m.gid(),
            owner: self.users.get(&m.uid()).cloned(),
            group: self.groups.get(&m.gid()).cloned(),
            mode: m.mode() & 0o7777,
            is_dir: m.is_dir(),
            size: m.len(),
        }
    }

    pub fn is_dir(&self, host: &str) -> bool {
        matches!(self.stat(host), FileStat::Present { is_dir: true, .. })
    }

    /// The entries of a directory, sorted by name (hidden ones too).
    pub fn list_dir(&self, host: &str) -> Result<Vec<String>, ReadError> {
        // Under a --root the kernel opens the directory inside it; it is then listed through
        // its descriptor (/proc/self/fd), so the listing is of what was opened.
        #[cfg(target_os = "linux")]
        let opened = open_in_root_with(&self.root, host, libc::O_RDONLY | libc::O_DIRECTORY)
            .map(|o| o.map_err(|e| ReadError::from_io(&e)))
            .transpose()?;
        #[cfg(not(target_os = "linux"))]
        let opened: Option<std::fs::File> = None;
        let real = match &opened {
            Some(dir) => {
                use std::os::fd::AsRawFd;
                let by_fd = PathBuf::from(format!("/proc/self/fd/{}", dir.as_raw_fd()));
                if by_fd.exists() {
                    by_fd
                } else {
                    self.resolve(host)?
                }
            }
            None => self.resolve(host)?,
        };
        let entries = std::fs::read_dir(&real).map_err(|e| ReadError::from_io(&e))?;
        let mut names: Vec<String> = entries
            .filter_map(Result::ok)
            .filter_map(|e| e.file_name().into_string().ok())
            .collect();
        names.sort();
        Ok(names)
    }
}

/// Opens host path `host` inside `root` (not `/`) with every component and symlink resolved by
/// the kernel as if `root` were `/` (openat2 with RESOLVE_IN_ROOT and RESOLVE_NO_MAGICLINKS),
/// without blocking on a FIFO or device. `None` when the root is `/` or the kernel has no
/// openat2: the caller resolves the path itself.
#[cfg(target_os = "linux")]
pub fn open_in_root(root: &Path, host: &str) -> Option<std::io::Result<std::fs::File>> {
    open_in_root_with(root, host, libc::O_RDONLY | libc::O_NONBLOCK)
}

/// [`open_in_root`] with other open flags: `O_PATH` to look at what a path is without opening
/// it for reading (a FIFO, a file without read permission), `O_DIRECTORY` to list a directory.
#[cfg(target_os = "linux")]
pub fn open_in_root_with(
    root: &Path,
    host: &str,
    flags: libc::c_int,
) -> Option<std::io::Result<std::fs::File>> {
    use std::os::fd::{AsRawFd, FromRawFd};
    use std::os::unix::fs::OpenOptionsExt;
    if root == Path::new("/") {
        return None;
    }
    let dir = match std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_DIRECTORY | libc::O_CLOEXEC)
        .open(root)
    {
        Ok(d) => d,
        Err(e) => return Some(Err(e)),
    };
    let relative = host.trim_start_matches('/');
    let relative = if relative.is_empty() { "." } else { relative };
    let Ok(path) = std::ffi::CString::new(relative) else {
        return Some(Err(std::io::Error::from(std::io::ErrorKind::InvalidInput)));
    };
    // SAFETY: `open_how` is plain data; zero is a valid value for each of its fields.
    let mut how: libc::open_how = unsafe { std::mem::zeroed() };
    how.flags = (flags | libc::O_CLOEXEC) as u64;
    how.resolve = libc::RESOLVE_IN_ROOT | libc::RESOLVE_NO_MAGICLINKS;
    // SAFETY: `dir` is an open directory for the duration of the call, `path` is
    // NUL-terminated, and `how` is an `open_how` of the size passed.
    let fd = unsafe {
        libc::syscall(
            libc::SYS_openat2,
            dir.as_raw_fd(),
            path.as_ptr(),
            &how as *const libc::open_how,
            std::mem::size_of::<libc::open_how>(),
        )
    };
    if fd < 0 {
        let e = std::io::Error::last_os_error();
        // No openat2 (an old kernel, or a seccomp filter that refuses it).
        if matches!(e.raw_os_error(), Some(libc::ENOSYS | libc::EPERM)) {
            return None;
        }
        return Some(Err(e));
    }
    let Ok(fd) = i32::try_from(fd) else {
        return Some(Err(std::io::Error::other("bad descriptor")));
    };
    // SAFETY: `fd` was just opened and is owned by nothing else.
    Some(Ok(unsafe { std::fs::File::from_raw_fd(fd) }))
}

#[cfg(not(target_os = "linux"))]
pub fn open_in_root(_root: &Path, _host: &str) -> Option<std::io::Result<std::fs::File>> {
    None
}

/// Opens `path` for reading without following a symlink in its last component and without
/// blocking on a FIFO or device. What it opened is for the caller to check (`File::metadata`).
pub fn open_regular(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
}

/// A process's `cmdline` under `proc_dir`, at most `max` bytes, read so that nothing outside
/// escapes: the `<pid>` directory is opened without following a symlink (a `--root` image could
/// make `proc/123` point anywhere), `cmdline` is opened inside it with `openat`, again without
/// following a symlink and without blocking, and must be a regular file.
pub fn read_cmdline(proc_dir: &Path, pid: u32, max: u64) -> std::io::Result<Vec<u8>> {
    use std::os::fd::{AsRawFd, FromRawFd};
    use std::os::unix::fs::OpenOptionsExt;
    let dir = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_DIRECTORY)
        .open(proc_dir.join(pid.to_string()))?;
    let name = c"cmdline";
    // SAFETY: `dir` is an open directory descriptor for the duration of the call and `name` a
    // NUL-terminated string; the returned descriptor is owned by the File below.
    let fd = unsafe {
        libc::openat(
            dir.as_raw_fd(),
            name.as_ptr(),
            libc::O_RDONLY | libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC,
        )
    };
    if fd < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: `fd` was just opened and is owned by nothing else.
    let file = unsafe { std::fs::File::from_raw_fd(fd) };
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    let mut bytes = Vec::new();
    file.take(max).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Pushes a path's components in reverse, so that popping yields them in order.
fn push_components(pending: &mut Vec<OsString>, path: &Path) {
    let parts: Vec<OsString> = path
        .components()
        .filter_map(|c| match c {
            Component::Normal(n) => Some(n.to_os_string()),
            Component::ParentDir => Some(OsString::from("..")),
            _ => None,
        })
        .collect();
    pending.extend(parts.into_iter().rev());
}

/// Joins a host path to a directory, as a host path: `join("/etc/kubernetes", "pki")`.
pub fn join(dir: &str, name: &str) -> String {
    if name.starts_with('/') {
        return name.to_string();
    }
    let dir = dir.trim_end_matches('/');
    format!("{dir}/{name}")
}

/// The directory of a host path (`/` for a top-level entry).
pub fn parent(path: &str) -> String {
    match path.trim_end_matches('/').rsplit_once('/') {
        Some(("", _)) | None => "/".to_string(),
        Some((dir, _)) => dir.to_string(),
    }
}

/// A host path made absolute and clean of `.` and `..` and doubled slashes, so that the same
/// file named two ways is one fact.
pub fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(
            normalize("etc//kubernetes/./pki/../admin.conf"),
            "/etc/kubernetes/admin.conf"
        );
        assert_eq!(parent("/etc/kubernetes/admin.conf"), "/etc/kubernetes");
        assert_eq!(parent("/etc"), "/");
        assert_eq!(join("/etc/kubernetes/", "pki"), "/etc/kubernetes/pki");
        assert_eq!(join("/etc/kubernetes", "/var/x"), "/var/x");
    }

    #[test]
    fn absolute_links_stay_inside_the_root() {
        let dir = tempdir();
        let root = dir.join("root");
        std::fs::create_dir_all(root.join("var/lib/kubelet/pki")).unwrap();
        std::fs::write(
            root.join("var/lib/kubelet/pki/kubelet-client-2024.pem"),
            b"x",
        )
        .unwrap();
        std::os::unix::fs::symlink(
            "/var/lib/kubelet/pki/kubelet-client-2024.pem",
            root.join("var/lib/kubelet/pki/kubelet-client-current.pem"),
        )
        .unwrap();
        std::os::unix::fs::symlink("/../../..", root.join("escape")).unwrap();
        std::os::unix::fs::symlink("loop", root.join("loop")).unwrap();
        let host = Host::new(&root, 1024);
        assert_eq!(
            host.read("/var/lib/kubelet/pki/kubelet-client-current.pem")
                .unwrap(),
            b"x"
        );
        assert_eq!(host.resolve("/escape/etc").unwrap(), root.join("etc"));
        assert!(host.read("/loop").is_err());
        assert!(matches!(host.read("/nope"), Err(ReadError::NotFound)));
        assert!(matches!(host.read("/var"), Err(ReadError::NotRegular)));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// The kernel resolves every component inside the root (openat2): an intermediate link to
    /// an absolute path or above the root cannot reach the file beside the root.
    #[cfg(target_os = "linux")]
    #[test]
    fn the_kernel_keeps_every_component_inside_the_root() {
        let dir = tempdir_named("openat2");
        let root = dir.join("root");
        std::fs::create_dir_all(&root).unwrap();
        std::fs::write(dir.join("secret"), b"outside").unwrap();
        std::os::unix::fs::symlink(&dir, root.join("abs")).unwrap();
        std::os::unix::fs::symlink("../..", root.join("up")).unwrap();
        let read = |p: &str| {
            let mut out = Vec::new();
            open_in_root(&root, p)
                .expect("openat2 on this kernel")
                .and_then(|mut f| f.read_to_end(&mut out))
                .map(|_| String::from_utf8_lossy(&out).into_owned())
        };
        assert!(read("/abs/secret").is_err());
        assert!(read("/up/secret").is_err());
        std::fs::write(root.join("secret"), b"inside").unwrap();
        assert_eq!(read("/up/secret").unwrap(), "inside");
        let host = Host::new(&root, 1024);
        assert_eq!(host.read("/up/up/secret").unwrap(), b"inside");
        assert!(open_in_root(Path::new("/"), "/etc/hostname").is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// Modes and listings go through the same kernel resolution: a link to a directory beside
    /// the root shows the root's own entry of that name, or nothing, never the outside one.
    #[cfg(target_os = "linux")]
    #[test]
    fn stat_and_listing_stay_inside_the_root() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempdir_named("openat2-stat");
        let root = dir.join("root");
        std::fs::create_dir_all(root.join("etc")).unwrap();
        std::fs::create_dir_all(dir.join("outside")).unwrap();
        std::fs::write(dir.join("outside/ca.key"), b"k").unwrap();
        std::fs::set_permissions(dir.join("outside/ca.key"), PermissionsExt::from_mode(0o644))
            .unwrap();
        std::os::unix::fs::symlink(dir.join("outside"), root.join("abs")).unwrap();
        std::os::unix::fs::symlink("../../outside", root.join("up")).unwrap();
        std::fs::write(root.join("etc/ca.key"), b"k").unwrap();
        std::fs::set_permissions(root.join("etc/ca.key"), PermissionsExt::from_mode(0o600))
            .unwrap();
        let host = Host::new(&root, 1024);
        assert!(matches!(host.stat("/abs/ca.key"), FileStat::Missing));
        assert!(matches!(host.stat("/up/ca.key"), FileStat::Missing));
        assert!(matches!(
            host.stat("/etc/ca.key"),
            FileStat::Present {
                mode: 0o600,
                is_dir: false,
                ..
            }
        ));
        assert!(host.is_dir("/etc") && !host.is_dir("/abs"));
        assert!(host.list_dir("/abs").is_err());
        assert_eq!(host.list_dir("/etc").unwrap(), ["ca.key"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    fn tempdir() -> PathBuf {
        tempdir_named("host")
    }

    fn tempdir_named(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("kcheck-node-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }
}
