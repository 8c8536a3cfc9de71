//! The fields the checks read from the pod spec, a container and a `securityContext`, each set
//! found in one pass over its mapping.
//!
//! A lookup by key (`Node::get`) compares the key with every entry from the last one, so
//! reading ten fields of a container costs ten passes over it. Here each mapping is passed over
//! once and every entry's key is compared only with the wanted keys of the same length. What is
//! found is the raw value, exactly what a lookup by key would return (the last of duplicate
//! keys); its type is checked when a check reads it, so that finding it reports nothing.

use kcheck_model::Node;

/// Keys of up to this length have a bucket of their own; longer ones share the last.
const BUCKETS: usize = 32;

/// A set of up to 32 non-empty keys, bucketed by length.
pub(crate) struct KeySet<const N: usize> {
    pub keys: [&'static str; N],
    /// Per key length, a bit for each key of that length.
    by_len: [u32; BUCKETS],
}

impl<const N: usize> KeySet<N> {
    pub const fn new(keys: [&'static str; N]) -> KeySet<N> {
        assert!(N <= 32);
        let mut by_len = [0u32; BUCKETS];
        let mut i = 0;
        while i < N {
            assert!(!keys[i].is_empty());
            by_len[bucket(keys[i].len())] |= 1 << i;
            i += 1;
        }
        KeySet { keys, by_len }
    }

    /// The value under each key, in one pass; `None` where the key is missing (or `node` is not
    /// a mapping). A later duplicate key replaces an earlier one, as Kubernetes reads them.
    pub fn pick<'n>(&self, node: &'n Node) -> [Option<&'n Node>; N] {
        let mut found = [None; N];
        for entry in node.as_map() {
            let key = entry.key.as_bytes();
            let mut candidates = self.by_len[bucket(key.len())];
            while candidates != 0 {
                let i = candidates.trailing_zeros() as usize;
                // Keys of the same length mostly differ in their first byte: checking it first
                // saves most full comparisons.
                let want = self.keys[i].as_bytes();
                if want.first() == key.first() && want == key {
                    found[i] = Some(&entry.value);
                    break;
                }
                candidates &= candidates - 1;
            }
        }
        found
    }
}

const fn bucket(len: usize) -> usize {
    if len < BUCKETS {
        len
    } else {
        BUCKETS - 1
    }
}

/// Declares an enum of fields, their keys, and the struct holding what one pass found.
macro_rules! fields {
    ($(#[$doc:meta])* $field:ident, $found:ident { $($name:ident = $key:literal,)* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub(crate) enum $field {
            $($name,)*
        }

        impl $field {
            const SET: KeySet<{ [$($key),*].len() }> = KeySet::new([$($key),*]);

            /// The field's key, as paths and messages spell it.
            pub fn key(self) -> &'static str {
                Self::SET.keys[self as usize]
            }
        }

        /// The raw value of each field, as found in one pass.
        #[derive(Clone, Copy, Default)]
        pub(crate) struct $found<'n>([Option<&'n Node>; { [$($key),*].len() }]);

        impl<'n> $found<'n> {
            pub fn pick(node: &'n Node) -> Self {
                Self($field::SET.pick(node))
            }

            /// The value, unless missing (it may be null or of any type).
            pub fn get(&self, field: $field) -> Option<&'n Node> {
                self.0[field as usize]
            }
        }
    };
}

fields! {
    /// The pod spec's fields that the checks read.
    Spec, SpecFields {
        InitContainers = "initContainers",
        Containers = "containers",
        EphemeralContainers = "ephemeralContainers",
        SecurityContext = "securityContext",
        Volumes = "volumes",
        HostIpc = "hostIPC",
        HostNetwork = "hostNetwork",
        HostPid = "hostPID",
        HostUsers = "hostUsers",
        Os = "os",
    }
}

fields! {
    /// A container's fields that the checks read.
    C, ContainerFields {
        Name = "name",
        SecurityContext = "securityContext",
        Ports = "ports",
        LivenessProbe = "livenessProbe",
        ReadinessProbe = "readinessProbe",
        StartupProbe = "startupProbe",
        Lifecycle = "lifecycle",
    }
}

fields! {
    /// The fields of a `securityContext` (the pod's or a container's) that the checks read.
    Sc, ScFields {
        AllowPrivilegeEscalation = "allowPrivilegeEscalation",
        AppArmorProfile = "appArmorProfile",
        Capabilities = "capabilities",
        Privileged = "privileged",
        ProcMount = "procMount",
        RunAsNonRoot = "runAsNonRoot",
        RunAsUser = "runAsUser",
        SeLinuxOptions = "seLinuxOptions",
        SeccompProfile = "seccompProfile",
        Sysctls = "sysctls",
        WindowsOptions = "windowsOptions",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kcheck_model::{Entry, Pos, Value};

    fn map(entries: &[(&str, i64)]) -> Node {
        let entries = entries
            .iter()
            .map(|(k, v)| Entry {
                key: (*k).into(),
                key_pos: Pos::NONE,
                value: Node::new(Pos::NONE, Value::Int(*v)),
            })
            .collect();
        Node::new(Pos::NONE, Value::Map(entries))
    }

    #[test]
    fn one_pass_finds_what_lookups_by_key_find() {
        let node = map(&[
            ("runAsNonRoot", 1),
            ("capabilities", 2),
            ("runAsUser", 3),
            ("procMount", 4),
            ("runAsNonRoot", 5),
            ("readOnlyRootFilesystem", 6),
        ]);
        let found = ScFields::pick(&node);
        for field in [
            Sc::AllowPrivilegeEscalation,
            Sc::Capabilities,
            Sc::ProcMount,
            Sc::RunAsNonRoot,
            Sc::RunAsUser,
            Sc::WindowsOptions,
        ] {
            assert_eq!(found.get(field), node.get(field.key()), "{field:?}");
        }
        assert_eq!(found.get(Sc::RunAsNonRoot).and_then(Node::as_i64), Some(5));
        let scalar = Node::new(Pos::NONE, Value::Int(1));
        assert!(ScFields::pick(&scalar).get(Sc::Privileged).is_none());
        assert_eq!(C::Lifecycle.key(), "lifecycle");
        assert_eq!(Spec::HostIpc.key(), "hostIPC");
    }
}
