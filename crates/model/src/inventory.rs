//! All objects of one run, with indexed lookups.

use crate::object::Object;
use std::collections::HashMap;

#[derive(Debug, Default)]
pub struct Inventory {
    objects: Vec<Object>,
    by_kind: HashMap<String, Vec<usize>>,
    by_key: HashMap<(String, Option<String>, String), usize>,
}

impl Inventory {
    pub fn new(objects: Vec<Object>) -> Inventory {
        let mut inv = Inventory::default();
        for o in objects {
            inv.push(o);
        }
        inv
    }

    pub fn push(&mut self, object: Object) {
        let i = self.objects.len();
        self.by_kind.entry(object.kind.clone()).or_default().push(i);
        self.by_key.insert(
            (
                object.kind.clone(),
                object.namespace.clone(),
                object.name.clone(),
            ),
            i,
        );
        self.objects.push(object);
    }

    pub fn len(&self) -> usize {
        self.objects.len()
    }

    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
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
            .get(&(
                kind.to_string(),
                namespace.map(str::to_string),
                name.to_string(),
            ))
            .map(|&i| &self.objects[i])
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
