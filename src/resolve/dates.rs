//! Computing every date of the site: absolute dates as written, relative ones
//! (`within_days: N, of: X`) by following X, which may itself be relative.

use foldhash::{HashMap, HashMapExt};

use jiff::civil::Date;

use crate::content::raw::{RawFrontMatter, RawWhen};
use crate::content::{Document, Kind};
use crate::dates::add_days;
use crate::diagnostics::{closest, Diagnostics};
use crate::model::{Derivation, Ref, When};

/// How a dated item's date is given.
#[derive(Clone, Copy)]
enum Spec<'d> {
    /// An order's signing date, if it has one.
    Fixed(Option<Date>),
    Written(&'d RawWhen),
    /// A deadline with no date yet.
    Unset,
}

/// Which date of its file a node is. The paths, labels and links below are
/// made from it when asked: a site has hundreds of thousands of dates, and
/// most are never named in a message or counted from.
#[derive(Clone, Copy)]
enum Field {
    /// An order's `signed`.
    Signed,
    /// An event's `date`.
    Date,
    /// The `due` of a provision's deadline `i`.
    Due(usize),
}

#[derive(Clone, Copy)]
struct Node<'d> {
    doc: &'d Document,
    field: Field,
    spec: Spec<'d>,
    /// The order that `of: signing` refers to.
    signing_order: Option<&'d str>,
}

impl Node<'_> {
    /// Front-matter path of the date (`deadlines.1.due`), for positions.
    fn path(&self) -> String {
        match self.field {
            Field::Signed => "signed".into(),
            Field::Date => "date".into(),
            Field::Due(i) => format!("deadlines.{i}.due"),
        }
    }

    /// How a date counted from this item is explained: "the signing of X".
    fn label(&self) -> String {
        match (&self.doc.front, self.field) {
            (RawFrontMatter::Order(o), _) => {
                let name = o.short_title.as_deref().unwrap_or(&o.title);
                format!("the signing of {name}")
            }
            (RawFrontMatter::Provision(p), Field::Due(i)) => {
                let action = p.deadlines.get(i).map_or("", |d| d.action.as_str());
                format!("the deadline “{action}”")
            }
            (front, _) => front.title().to_string(),
        }
    }

    fn link(&self) -> Ref {
        Ref::new(self.doc.kind, self.doc.id.as_str())
    }

    fn is_order(&self) -> bool {
        matches!(self.field, Field::Signed)
    }
}

#[derive(Clone)]
enum State {
    Visiting,
    Done(Option<When>),
    Failed,
}

/// Every dated item by id: orders (their signing), events and deadlines.
/// How many relative dates may follow one another before the chain is refused.
const MAX_CHAIN: usize = 200;

pub struct Dates<'d> {
    nodes: HashMap<&'d str, Node<'d>>,
    states: HashMap<&'d str, State>,
    /// A file that could hold dated items failed to load (reported already):
    /// an unknown `of:` target may be in it, so it is not reported too.
    pub incomplete: bool,
}

impl<'d> Dates<'d> {
    pub fn new(docs: &[&'d Document], diags: &mut Diagnostics) -> Dates<'d> {
        let mut dates = Dates {
            nodes: HashMap::new(),
            states: HashMap::new(),
            incomplete: false,
        };
        let orders: std::collections::HashSet<&str> = docs
            .iter()
            .filter(|d| d.kind == Kind::Order)
            .map(|d| d.id.as_str())
            .collect();
        for doc in docs {
            match &doc.front {
                RawFrontMatter::Order(o) => {
                    dates.add(
                        doc.id.as_str(),
                        Node {
                            doc,
                            field: Field::Signed,
                            spec: Spec::Fixed(o.signed),
                            signing_order: None,
                        },
                        diags,
                    );
                }
                RawFrontMatter::Event(e) => {
                    let order = e.related.iter().find_map(|r| {
                        r.strip_prefix("order/")
                            .or_else(|| orders.contains(r.as_str()).then_some(r.as_str()))
                    });
                    dates.add(
                        doc.id.as_str(),
                        Node {
                            doc,
                            field: Field::Date,
                            spec: e.date.as_ref().map_or(Spec::Unset, Spec::Written),
                            signing_order: order,
                        },
                        diags,
                    );
                }
                RawFrontMatter::Provision(p) => {
                    for (i, d) in p.deadlines.iter().enumerate() {
                        dates.add(
                            d.id.as_str(),
                            Node {
                                doc,
                                field: Field::Due(i),
                                spec: d.due.as_ref().map_or(Spec::Unset, Spec::Written),
                                signing_order: Some(p.order.as_str()),
                            },
                            diags,
                        );
                    }
                }
                _ => {}
            }
        }
        dates
    }

    fn add(&mut self, id: &'d str, node: Node<'d>, diags: &mut Diagnostics) {
        if let Some(first) = self.nodes.get(id) {
            // Orders and events have unique file ids; a clash involves a deadline id.
            let at = match node.field {
                Field::Due(i) => format!("deadlines.{i}.id"),
                _ => String::new(),
            };
            diags.push(node.doc.error_at(&at, format!(
                "duplicate id `{id}`: dated items (orders, events, deadlines) need unique ids, and {} already uses it",
                first.doc.path.display()
            )));
            return;
        }
        self.nodes.insert(id, node);
    }

    /// Let go of what resolving needs once every date is resolved: a large
    /// site's entities are made while the dates are still held.
    pub fn resolved_all(&mut self) {
        self.nodes = HashMap::new();
    }

    /// The date of item `id` as [`Dates::resolve`] found it: None before it
    /// was resolved, or when it could not be.
    pub fn resolved(&self, id: &str) -> Option<When> {
        self.resolved_ref(id).cloned()
    }

    /// The date of item `id` as [`Dates::resolve`] found it, borrowed.
    pub fn resolved_ref(&self, id: &str) -> Option<&When> {
        match self.states.get(id) {
            Some(State::Done(w)) => w.as_ref(),
            _ => None,
        }
    }

    /// Find the date of item `id` (then read with [`Dates::resolved`]);
    /// errors are reported once, on the item that has them.
    pub fn resolve(&mut self, id: &str, diags: &mut Diagnostics) {
        let mut stack = Vec::new();
        self.visit(id, &mut stack, diags);
    }

    fn visit(
        &mut self,
        id: &str,
        stack: &mut Vec<&'d str>,
        diags: &mut Diagnostics,
    ) -> Option<Date> {
        let (&key, &node) = self.nodes.get_key_value(id)?;
        match self.states.get(key) {
            Some(State::Done(w)) => return w.as_ref().map(|w| w.date),
            Some(State::Failed) => return None,
            // Each link of a chain is a frame of this recursion: bound it.
            _ if stack.len() >= MAX_CHAIN => {
                diags.push(
                    node.doc
                        .error_at(
                            &format!("{}.of", node.path()),
                            format!("more than {MAX_CHAIN} dates each counted from the next"),
                        )
                        .with_help(Some(
                            "count from the signing or from a fixed date instead".into(),
                        )),
                );
                self.states.insert(key, State::Failed);
                return None;
            }
            Some(State::Visiting) => {
                let start = stack.iter().position(|s| *s == key).unwrap_or(0);
                let mut chain: Vec<&str> = stack[start..].to_vec();
                chain.push(key);
                diags.push(node.doc.error_at(
                    &format!("{}.of", node.path()),
                    format!("dates form a cycle: {}", chain.join(" → ")),
                ));
                for k in &stack[start..] {
                    self.states.insert(k, State::Failed);
                }
                return None;
            }
            None => {}
        }
        let doc = node.doc;
        let (days, of) = match node.spec {
            Spec::Fixed(d) => {
                return self.finish(
                    key,
                    d.map(|date| When {
                        date,
                        derivation: None,
                    }),
                )
            }
            Spec::Unset => return self.finish(key, None),
            Spec::Written(RawWhen::Date(date)) => {
                return self.finish(
                    key,
                    Some(When {
                        date: *date,
                        derivation: None,
                    }),
                )
            }
            Spec::Written(RawWhen::Within { days, of }) => (*days, of.as_str()),
        };
        let target =
            if of == "signing" {
                match node.signing_order {
                    Some(order) => order,
                    None => {
                        diags.push(doc.error_at(&format!("{}.of", node.path()),
                        "`of: signing` needs an order: list the order in this event's `related`"));
                        self.states.insert(key, State::Failed);
                        return None;
                    }
                }
            } else {
                of
            };
        let Some(target_node) = self.nodes.get(target) else {
            // An unknown order behind `signing` is reported where the order is named.
            if of != "signing" && !self.incomplete {
                let help = closest(target, self.nodes.keys().copied().chain(["signing"]))
                    .map(|c| format!("did you mean `{c}`?"))
                    .or_else(|| {
                        Some(
                            "`of` takes `signing`, or the id of an order, event or deadline".into(),
                        )
                    });
                diags.push(
                    doc.error_at(
                        &format!("{}.of", node.path()),
                        format!("unknown dated item `{target}`"),
                    )
                    .with_help(help),
                );
            }
            self.states.insert(key, State::Failed);
            return None;
        };
        let target_node = *target_node;
        self.states.insert(key, State::Visiting);
        stack.push(key);
        let from = self.visit(target, stack, diags);
        stack.pop();
        if matches!(self.states.get(key), Some(State::Failed)) {
            return None;
        }
        let Some(from) = from else {
            if !matches!(self.states.get(target), Some(State::Failed)) {
                let message = if target_node.is_order() {
                    format!("`within_days` counts from the signing of order `{target}`, which has no `signed` date")
                } else {
                    format!("`within_days` counts from `{target}`, which has no date")
                };
                diags.push(
                    doc.error_at(&format!("{}.of", node.path()), message)
                        .with_help(Some(
                            "give it a date, or write this date as YYYY-MM-DD".into(),
                        )),
                );
            }
            self.states.insert(key, State::Failed);
            return None;
        };
        let Some(date) = add_days(from, days) else {
            diags.push(doc.error_at(
                &format!("{}.within_days", node.path()),
                "the computed date is out of range",
            ));
            self.states.insert(key, State::Failed);
            return None;
        };
        let derivation = Derivation {
            days,
            from_label: target_node.label(),
            from_date: from,
            from: Some(target_node.link()),
        };
        self.finish(
            key,
            Some(When {
                date,
                derivation: Some(std::sync::Arc::new(derivation)),
            }),
        )
    }

    fn finish(&mut self, key: &'d str, when: Option<When>) -> Option<Date> {
        let date = when.as_ref().map(|w| w.date);
        self.states.insert(key, State::Done(when));
        date
    }
}
