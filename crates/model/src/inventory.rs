//! All objects of one run, with indexed lookups.

use crate::object::Object;
use rustc_hash::FxHashMap;
use std::hash::{Hash, Hasher};

#[derive(Debug, Default)]
pub struct Inventory {
    objects: Vec<Object>,
    by_kind: FxHashMap<String, Vec<usize>>,
    /// The hash of (kind, namespace, name) -> the objects with it, in input order. Lookups hash
    /// borrowed strings instead of building an owned key.
    by_key: FxHashMap<u64, Vec<usize>>,
}

fn key_hash(kind: &str, namespace: Option<&str>, name: &str) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    (kind, namespace, name).hash(&mut h);
    h.finish()
}

impl Inventory {
    /// Indexes `objects`, keeping the vector (a cluster's 200k objects are not copied).
    pub fn new(objects: Vec<Object>) -> Inventory {
        let mut inv = Inventory {
            objects: Vec::new(),
            by_kind: FxHashMap::default(),
            by_key: FxHashMap::with_capacity_and_hasher(objects.len(), Default::default()),
        };
        for (i, object) in objects.iter().enumerate() {
            inv.index(i, object);
        }
        inv.objects = objects;
        inv
    }

    pub fn push(&mut self, object: Object) {
        self.index(self.objects.len(), &object);
        self.objects.push(object);
    }

    fn index(&mut self, i: usize, object: &Object) {
        match self.by_kind.get_mut(object.kind.as_str()) {
            Some(list) => list.push(i),
            None => {
                self.by_kind.insert(object.kind.clone(), vec![i]);
            }
        }
        let h = key_hash(&object.kind, object.namespace.as_deref(), &object.name);
        self.by_key.entry(h).or_default().push(i);
    }

    pub fn len(&self) -> usize {
        self.objects.len()
    }

    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    /// The objects, in order, without the indexes.
    pub fn into_objects(self) -> Vec<Object> {
        self.objects
    }

    pub fn objects(&self) -> &[Object] {
        &self.objects
    }

    pub fn of_kind<'a>(&'a self, kind: &str) -> impl Iterator<Item = &'a Object> + 'a {
        self.by_kind
            .get(kind)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(move |&i| &self.objects[i])
    }

    pub fn count_kind(&self, kind: &str) -> usize {
        self.by_kind.get(kind).map_or(0, Vec::len)
    }

    /// An object by kind, namespace (None for cluster-scoped) and name. When the same object
    /// appears twice the later one wins, as `kubectl apply` of both files would leave it.
    pub fn get(&self, kind: &str, namespace: Option<&str>, name: &str) -> Option<&Object> {
        self.by_key
            .get(&key_hash(kind, namespace, name))?
            .iter()
            .rev()
            .map(|&i| &self.objects[i])
            .find(|o| o.kind == kind && o.namespace.as_deref() == namespace && o.name == name)
    }

    /// Whether some object is in namespace `ns`, or is the Namespace `ns`.
    pub fn mentions_namespace(&self, ns: &str) -> bool {
        self.objects
            .iter()
            .any(|o| o.namespace.as_deref() == Some(ns) || (o.kind == "Namespace" && o.name == ns))
    }

    /// Every namespace that objects name or that is declared, sorted.
    pub fn namespace_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .objects
            .iter()
            .filter_map(|o| {
                if o.kind == "Namespace" {
                    Some(o.name.as_str())
                } else {
                    o.namespace.as_deref()
                }
            })
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    }
}
