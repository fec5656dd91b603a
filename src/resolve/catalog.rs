//! Every entity id of the site, for looking references up.

use std::collections::HashSet;

use foldhash::{HashMap, HashMapExt};

use crate::content::{Document, Kind};
use crate::diagnostics::{closest, Diagnostics};
use crate::markdown::LinkError;
use crate::model::Ref;

pub struct Catalog<'d> {
    pub docs: HashMap<Ref, &'d Document>,
    by_id: HashMap<&'d str, Vec<Kind>>,
    /// Entities left out because they are drafts, for a helpful message.
    drafts: HashMap<Ref, &'d Document>,
    /// Entities whose files failed to parse (reported already).
    broken: HashSet<Ref>,
    /// The keys of `docs`, sorted: a link is recorded as two places in it.
    table: Vec<Ref>,
}

impl<'d> Catalog<'d> {
    /// Index `docs`, reporting a second definition of the same kind and id.
    pub fn new(
        docs: &[&'d Document],
        drafts: &[&'d Document],
        broken: impl IntoIterator<Item = Ref>,
        diags: &mut Diagnostics,
    ) -> Catalog<'d> {
        let mut catalog = Catalog {
            broken: broken.into_iter().collect(),
            docs: HashMap::new(),
            table: Vec::new(),
            by_id: HashMap::new(),
            drafts: drafts
                .iter()
                .map(|d| (Ref::new(d.kind, d.id.as_str()), *d))
                .collect(),
        };
        for &doc in docs {
            let r = Ref::new(doc.kind, doc.id.as_str());
            if let Some(first) = catalog.docs.get(&r) {
                diags.push(
                    doc.error(
                        Some(crate::diagnostics::Pos::new(1, 1)),
                        format!(
                            "duplicate id `{}`: {} {} with this id is already defined in {}",
                            doc.id,
                            doc.kind.article(),
                            doc.kind.name(),
                            first.path.display()
                        ),
                    )
                    .with_help(Some("rename one of the two files".into())),
                );
                continue;
            }
            catalog.docs.insert(r, doc);
            catalog
                .by_id
                .entry(doc.id.as_str())
                .or_default()
                .push(doc.kind);
        }
        for kinds in catalog.by_id.values_mut() {
            kinds.sort();
        }
        catalog.table = catalog.docs.keys().cloned().collect();
        catalog.table.sort_unstable();
        catalog
    }

    /// What every lookup's answer depends on: the entities, and the drafts
    /// and broken files that a missing one may be (a reference to a broken
    /// file is dropped without a message of its own; deleted, it is one).
    pub fn key(&self) -> u64 {
        let sum = |refs: &mut dyn Iterator<Item = &Ref>, tag: u8| {
            refs.fold(0u64, |acc, r| acc.wrapping_add(super::hash_of((tag, r))))
        };
        sum(&mut self.docs.keys(), 0)
            .wrapping_add(sum(&mut self.drafts.keys(), 1))
            .wrapping_add(sum(&mut self.broken.iter(), 2))
    }

    /// The place of `r` in [`Catalog::table`].
    pub fn place(&self, r: &Ref) -> Option<u32> {
        self.table.binary_search(r).ok().map(|i| i as u32)
    }

    /// Every entity, sorted: the table [`crate::model::Graph`] numbers them by.
    pub fn table(&self) -> Vec<Ref> {
        self.table.clone()
    }

    pub fn contains(&self, kind: Kind, id: &str) -> bool {
        self.docs.contains_key(&Ref::new(kind, id))
    }

    pub fn title(&self, r: &Ref) -> Option<&'d str> {
        self.docs.get(r).map(|d| d.front.title())
    }

    /// Check that `id` names an entity of `kind`.
    pub fn lookup(&self, kind: Kind, id: &str) -> Result<Ref, LinkError> {
        if self.contains(kind, id) {
            return Ok(Ref::new(kind, id));
        }
        if self.broken.contains(&Ref::new(kind, id)) {
            return Err(Self::consequence(kind, id));
        }
        if let Some(draft) = self.drafts.get(&Ref::new(kind, id)) {
            return Err(LinkError {
                consequence: false,
                message: format!("{} {} `{id}` is a draft", kind.article(), kind.name()),
                help: Some(format!(
                    "{} has `draft: true`: build with --drafts, or publish it",
                    draft.path.display()
                )),
            });
        }
        let ids = self
            .docs
            .keys()
            .filter(|r| r.kind == kind)
            .map(|r| r.id.as_str());
        let mut help = closest(id, ids).map(|c| format!("did you mean `{c}`?"));
        if help.is_none() {
            if let Some(other) = self.by_id.get(id).and_then(|k| k.first()) {
                help = Some(format!(
                    "`{id}` is {} {}, not {} {}",
                    other.article(),
                    other.name(),
                    kind.article(),
                    kind.name()
                ));
            } else if !self.docs.keys().any(|r| r.kind == kind) {
                help = Some(format!(
                    "there is no {} yet: add one under content/{}/",
                    kind.name(),
                    kind.folder()
                ));
            }
        }
        Err(LinkError {
            consequence: false,
            message: format!("unknown {} `{id}`", kind.name()),
            help,
        })
    }

    fn consequence(kind: Kind, id: &str) -> LinkError {
        LinkError {
            message: format!("{} {} `{id}` failed to load", kind.article(), kind.name()),
            help: None,
            consequence: true,
        }
    }

    /// Resolve `id` or `kind/id` naming any entity (wikilinks, `related`).
    pub fn lookup_any(&self, target: &str) -> Result<Ref, LinkError> {
        if let Some((kind_name, id)) = target.split_once('/') {
            let Some(kind) = Kind::from_name(kind_name) else {
                let names = Kind::ALL.iter().map(|k| k.name());
                return Err(LinkError {
                    consequence: false,
                    message: format!("unknown kind `{kind_name}` in `{target}`"),
                    help: closest(kind_name, names)
                        .map(|c| format!("did you mean `{c}/{id}`?"))
                        .or_else(|| {
                            Some("kinds are order, provision, agency, source, event, page".into())
                        }),
                });
            };
            return self.lookup(kind, id);
        }
        match self.by_id.get(target).map(Vec::as_slice) {
            Some([kind]) => Ok(Ref::new(*kind, target)),
            Some(kinds) if kinds.len() > 1 => {
                let forms: Vec<String> = kinds
                    .iter()
                    .map(|k| format!("`{}/{target}`", k.name()))
                    .collect();
                Err(LinkError {
                    consequence: false,
                    message: format!("ambiguous id `{target}`: more than one entity has it"),
                    help: Some(format!("write {}", forms.join(" or "))),
                })
            }
            _ => match self.broken.iter().find(|r| r.id == target) {
                Some(r) => Err(Self::consequence(r.kind, target)),
                None => Err(LinkError {
                    consequence: false,
                    message: format!("unknown id `{target}`"),
                    help: closest(target, self.by_id.keys().copied())
                        .map(|c| format!("did you mean `{c}`?")),
                }),
            },
        }
    }
}
