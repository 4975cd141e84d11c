//! Impact: for every breaking finding, the RPCs and services whose requests or responses contain
//! the changed element, directly or through fields — the reviewer's "who does this break?" — and
//! the RPCs annotated with a custom option whose value contains it (a changed `google.api.HttpRule`
//! changes the HTTP mapping of every RPC with `option (google.api.http)`).
//!
//! The element a finding is about is found from where it points (the innermost message, enum,
//! service or RPC whose declaration holds the finding's span), so every rule gets an impact
//! without knowing about it. A deletion is judged in the previous revision, where the element
//! still is; anything else in the current one. Each revision's [`graph::Graph`] is built once,
//! and only when a finding needs it.

mod graph;
mod subject;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt::Write as _;

use crate::finding::{Finding, Kind, Location, Severity, Side};
use crate::schema::Schema;
use graph::Graph;
use subject::{Subject, Subjects};

/// How an RPC holds the element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// In the request message.
    Request,
    /// In the response message.
    Response,
    /// The finding is about the RPC (or its service) itself.
    Rpc,
    /// In the value of a custom option set on the RPC ([`Reach::option`]).
    Option,
    /// In the value of a custom option set on the RPC's service ([`Reach::option`]).
    ServiceOption,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Request => "request",
            Direction::Response => "response",
            Direction::Rpc => "the RPC itself",
            Direction::Option => "option",
            Direction::ServiceOption => "service option",
        }
    }
}

/// One RPC a finding reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reach {
    /// The RPC's full name: `acme.v1.UserService.GetUser`.
    pub rpc: String,
    pub direction: Direction,
    /// For [`Direction::Option`] and [`Direction::ServiceOption`]: the option's extension, by
    /// full name (`google.api.http`).
    pub option: Option<String>,
    /// The fields from the RPC's message (or the option's value) down to the element, outermost
    /// first (`acme.v1.UserPage.users`); empty when the element is the request or response (or
    /// the option's type) itself.
    pub via: Vec<String>,
    /// Where the RPC is declared (in the revision the impact was judged in).
    pub location: Option<Location>,
}

impl Reach {
    /// The full name of the RPC's service.
    pub fn service(&self) -> &str {
        self.rpc.rsplit_once('.').map_or("", |(service, _)| service)
    }

    /// `acme.v1.AdminService.ListUsers (response, via acme.v1.UserPage.users)`.
    pub fn describe(&self) -> String {
        describe_rpc(&self.rpc, &[self])
    }
}

/// The RPCs a finding reaches, sorted by RPC then direction. Empty: no RPC's request or response
/// holds the element.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Impact {
    pub reaches: Vec<Reach>,
}

/// How many RPCs a finding names in human output without `--verbose`.
pub const SHOWN_REACHES: usize = 3;

impl Impact {
    /// The services reached, by full name.
    pub fn services(&self) -> BTreeSet<&str> {
        self.reaches.iter().map(Reach::service).collect()
    }

    /// One line for a person: the first [`SHOWN_REACHES`] RPCs (all with `verbose`), the most
    /// direct first, and how many more there are.
    pub fn describe(&self, verbose: bool) -> String {
        if self.reaches.is_empty() {
            return "reached by no RPC: no service's request or response holds this element"
                .to_owned();
        }
        // One entry per RPC: a message that is both request and response is named once.
        let mut rpcs: Vec<(usize, &str, Vec<&Reach>)> = Vec::new();
        for reach in &self.reaches {
            match rpcs.last_mut() {
                Some((depth, rpc, group)) if *rpc == reach.rpc => {
                    *depth = (*depth).min(reach.via.len());
                    group.push(reach);
                }
                _ => rpcs.push((reach.via.len(), &reach.rpc, vec![reach])),
            }
        }
        rpcs.sort_by_key(|(depth, rpc, _)| (*depth, *rpc));
        let services = self.services().len();
        let shown = if verbose {
            rpcs.len()
        } else {
            SHOWN_REACHES.min(rpcs.len())
        };
        let list: Vec<String> = rpcs[..shown]
            .iter()
            .map(|(_, rpc, group)| describe_rpc(rpc, group))
            .collect();
        let mut text = if shown == rpcs.len() {
            format!("reaches: {}", list.join(", "))
        } else {
            format!(
                "reaches {} RPCs of {} {}: {}",
                rpcs.len(),
                services,
                plural(services, "service", "services"),
                list.join(", ")
            )
        };
        let more = rpcs.len() - shown;
        if more > 0 {
            let _ = write!(text, " and {more} more (--verbose lists them all)");
        }
        text
    }
}

/// `acme.v1.S.Update (request and response, via acme.v1.User.address)`,
/// `acme.v1.S.Get (option (google.api.http))`; `reaches` are one RPC's.
fn describe_rpc(rpc: &str, reaches: &[&Reach]) -> String {
    let ways: Vec<String> = match reaches {
        [a, b] if a.via == b.via && a.option.is_none() && b.option.is_none() => vec![way(
            &format!("{} and {}", a.direction.as_str(), b.direction.as_str()),
            &a.via,
        )],
        _ => reaches
            .iter()
            .map(|r| match &r.option {
                Some(option) => way(&format!("{} ({option})", r.direction.as_str()), &r.via),
                None => way(r.direction.as_str(), &r.via),
            })
            .collect(),
    };
    format!("{rpc} ({})", ways.join("; "))
}

fn way(direction: &str, via: &[String]) -> String {
    if via.is_empty() {
        direction.to_owned()
    } else {
        format!("{direction}, via {}", via.join(" → "))
    }
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// Sets every finding's [`Finding::impact`], and with `impact_only` lowers to warning the
/// findings that reach no RPC. When neither revision declares a service, impacts stay unset
/// (there is nothing to reach; output says nothing about it) and `impact_only` lowers them all.
pub fn attach(findings: &mut [Finding], old: &Schema, new: &Schema, impact_only: bool) {
    if findings.is_empty() {
        return;
    }
    let declares_services = |schema: &Schema| schema.pool().services().next().is_some();
    if !declares_services(old) && !declares_services(new) {
        if impact_only {
            findings.iter_mut().for_each(lower);
        }
        return;
    }
    let mut sides = [Judged::new(old), Judged::new(new)];
    for finding in findings.iter_mut() {
        let at = match (finding.kind, &finding.previous) {
            (Kind::Deleted, Some(previous)) => previous,
            _ => &finding.location,
        };
        let judged = &mut sides[usize::from(at.side == Side::Current)];
        let impact = judged.impact(at);
        if impact_only && impact.reaches.is_empty() {
            lower(finding);
        }
        finding.impact = Some(impact);
    }
}

fn lower(finding: &mut Finding) {
    finding.severity = Severity::Warning;
}

/// One revision, with its graph, its element index and the impacts found so far.
struct Judged<'s> {
    schema: &'s Schema,
    graph: Option<Graph>,
    subjects: Subjects,
    cache: HashMap<Subject, Impact>,
}

impl<'s> Judged<'s> {
    fn new(schema: &'s Schema) -> Self {
        Judged {
            schema,
            graph: None,
            subjects: Subjects::default(),
            cache: HashMap::new(),
        }
    }

    fn impact(&mut self, at: &Location) -> Impact {
        let subject = self.subjects.at(self.schema, at);
        if let Some(impact) = self.cache.get(&subject) {
            return impact.clone();
        }
        let graph = self.graph.get_or_insert_with(|| Graph::build(self.schema));
        let mut found: Vec<(prost_reflect::MethodDescriptor, Reach)> = Vec::new();
        let rpc_itself = |method: prost_reflect::MethodDescriptor| {
            let reach = Reach {
                rpc: method.full_name().to_owned(),
                direction: Direction::Rpc,
                option: None,
                via: Vec::new(),
                location: None,
            };
            (method, reach)
        };
        let subjects = match &subject {
            Subject::File(name) => self.subjects.in_file(self.schema, name),
            one => vec![one.clone()],
        };
        // The types are walked from together, in one pass over the graph.
        let mut types: Vec<&str> = Vec::new();
        for inner in &subjects {
            match inner {
                Subject::Type(name) => types.push(name),
                Subject::Extension { name, extendee } => {
                    types.push(extendee);
                    found.extend(graph.option_users(name));
                }
                Subject::Method(name) => found.extend(graph.method(name).map(rpc_itself)),
                Subject::Service(name) => {
                    found.extend(graph.service_methods(name).into_iter().map(rpc_itself));
                }
                Subject::File(_) => {}
            }
        }
        found.extend(graph.reaches_types(&types));
        // Shortest chain first, so that deduplication keeps the most direct way in.
        found.sort_by(|(_, a), (_, b)| {
            (&a.rpc, a.direction, &a.option, a.via.len()).cmp(&(
                &b.rpc,
                b.direction,
                &b.option,
                b.via.len(),
            ))
        });
        found.dedup_by(|(_, a), (_, b)| {
            (&a.rpc, a.direction, &a.option) == (&b.rpc, b.direction, &b.option)
        });
        // A finding about the RPC itself says all there is to say about it.
        let whole: HashSet<String> = found
            .iter()
            .filter(|(_, r)| r.direction == Direction::Rpc)
            .map(|(_, r)| r.rpc.clone())
            .collect();
        found.retain(|(_, r)| r.direction == Direction::Rpc || !whole.contains(&r.rpc));
        let reaches = found
            .into_iter()
            .map(|(method, mut reach)| {
                reach.location = Some(self.schema.locate_part(&method, &[NAME]));
                reach
            })
            .collect();
        let impact = Impact { reaches };
        self.cache.insert(subject, impact.clone());
        impact
    }
}

/// `MethodDescriptorProto.name`: an RPC is pointed at by its name.
const NAME: i32 = 1;
